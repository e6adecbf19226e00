import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openSqlDatabase } from '../open-sql-database.js';

/** A database created for one test file on a shared server, and how to reach and remove it. */
export interface ServerDatabase {
  uri: string;
  /** Empties the tables Cairn writes, so the next test starts from an empty store. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

/** The tables Cairn writes, children first so foreign keys never block a delete. */
const cairnTables = [
  'webhook_events',
  'webhooks',
  'registered_model_aliases',
  'model_version_tags',
  'registered_model_tags',
  'model_versions',
  'registered_models',
  'logged_model_metrics',
  'logged_model_params',
  'logged_model_tags',
  'logged_models',
  'input_tags',
  'inputs',
  'datasets',
  'metrics',
  'latest_metrics',
  'params',
  'tags',
  'runs',
  'experiment_tags',
  'experiments',
] as const;

/**
 * Creates a uniquely named database through an administrative URI (a role allowed to create databases),
 * so concurrent and repeated test runs never share state.
 */
export async function createServerDatabase(adminUri: string, prefix: string): Promise<ServerDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = openSqlDatabase(adminUri);
  try {
    const options =
      admin.dialect === 'mysql' ? sql.raw(' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin') : sql.raw('');
    await sql`CREATE DATABASE ${sql.id(name)}${options}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUri);
  url.pathname = `/${name}`;
  const uri = url.toString();
  return {
    uri,
    async reset() {
      const database = openSqlDatabase(uri);
      try {
        const tables = await sql<{ name: string }>`
          SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = ${database.dialect === 'postgres' ? sql`current_schema()` : sql`database()`}`.execute(
          database.db,
        );
        if (tables.rows.length === 0) return;
        for (const table of cairnTables) await database.db.deleteFrom(table).execute();
      } finally {
        await database.close();
      }
    },
    async drop() {
      const database = openSqlDatabase(adminUri);
      try {
        await sql`DROP DATABASE IF EXISTS ${sql.id(name)}`.execute(database.db);
      } finally {
        await database.close();
      }
    },
  };
}
