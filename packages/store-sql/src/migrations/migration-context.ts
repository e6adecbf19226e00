import { type Kysely, sql } from 'kysely';
import type { MlflowDatabase } from '../database-types.js';
import { renderColumn, renderIndex, renderTable, tableSpec } from '../schema/render-schema.js';
import { parseColumn } from '../schema/table-spec.js';
import type { SqlDialectName } from '../sql-dialect-name.js';

/**
 * What a migration step works with: the connection holding the upgrade lock (inside the upgrade's
 * transaction on SQLite and PostgreSQL) and helpers that look before they change. Every helper is a no-op
 * when its change is already there, so on MySQL — whose DDL commits statement by statement — a step
 * interrupted midway finishes when the upgrade runs again.
 */
export interface MigrationContext {
  db: Kysely<MlflowDatabase>;
  dialect: SqlDialectName;
  /** Runs one raw SQL statement. */
  execute(statement: string): Promise<void>;
  hasTable(table: string): Promise<boolean>;
  hasColumn(table: string, column: string): Promise<boolean>;
  hasIndex(table: string, index: string): Promise<boolean>;
  /** Creates a table MLflow 3.18.0 has, with its indexes, from the schema spec. */
  createTable(table: string): Promise<void>;
  /** Adds a column of MLflow 3.18.0's table, defined as the schema spec defines it. */
  addColumn(table: string, column: string): Promise<void>;
  /** Creates one of the table's indexes as the schema spec defines it. */
  createIndex(table: string, index: string): Promise<void>;
}

/** Makes the context for one connection. */
export function migrationContext(db: Kysely<MlflowDatabase>, dialect: SqlDialectName): MigrationContext {
  const exists = async (query: ReturnType<typeof sql<{ found: number }>>) =>
    (await query.execute(db)).rows.length > 0;
  const schema = dialect === 'postgres' ? sql`current_schema()` : sql`database()`;
  const context: MigrationContext = {
    db,
    dialect,
    async execute(statement) {
      await sql.raw(statement).execute(db);
    },
    hasTable(table) {
      if (dialect === 'sqlite') {
        return exists(sql`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ${table}`);
      }
      return exists(sql`
        SELECT 1 AS found FROM information_schema.tables
        WHERE table_schema = ${schema} AND table_name = ${table}`);
    },
    hasColumn(table, column) {
      if (dialect === 'sqlite') {
        return exists(sql`SELECT 1 AS found FROM pragma_table_info(${table}) WHERE name = ${column}`);
      }
      return exists(sql`
        SELECT 1 AS found FROM information_schema.columns
        WHERE table_schema = ${schema} AND table_name = ${table} AND column_name = ${column}`);
    },
    hasIndex(table, index) {
      if (dialect === 'sqlite') {
        return exists(sql`
          SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND name = ${index}`);
      }
      if (dialect === 'postgres') {
        return exists(sql`
          SELECT 1 AS found FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename = ${table} AND indexname = ${index}`);
      }
      return exists(sql`
        SELECT 1 AS found FROM information_schema.statistics
        WHERE table_schema = database() AND table_name = ${table} AND index_name = ${index}`);
    },
    async createTable(table) {
      const spec = tableSpec(table);
      const [rendered] = renderTable(dialect, spec);
      // On MySQL a migrated table takes the database's own charset and collation, as MLflow's do: a
      // binary-collated table could not hold foreign keys to the older tables' case-insensitive columns.
      const create = (rendered as string).replace(/ DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin$/u, '');
      if (!(await context.hasTable(table))) await context.execute(create);
      // Indexes one by one, so a MySQL run cut off between them completes next time.
      for (const index of spec.indexes ?? []) {
        if (index.dialects !== undefined && !index.dialects.includes(dialect)) continue;
        if (!(await context.hasIndex(table, index.name)))
          await context.execute(renderIndex(dialect, spec, index));
      }
    },
    async addColumn(table, column) {
      if (await context.hasColumn(table, column)) return;
      const definition = tableSpec(table).columns.find((text) => text.startsWith(`${column} `));
      if (definition === undefined) throw new Error(`No column ${table}.${column} in the schema spec`);
      const quoted = dialect === 'mysql' ? `\`${table}\`` : `"${table}"`;
      await context.execute(
        `ALTER TABLE ${quoted} ADD COLUMN ${renderColumn(dialect, parseColumn(definition))}`,
      );
    },
    async createIndex(table, index) {
      if (await context.hasIndex(table, index)) return;
      const spec = tableSpec(table);
      const found = spec.indexes?.find((candidate) => candidate.name === index);
      if (found === undefined) throw new Error(`No index ${index} on ${table} in the schema spec`);
      await context.execute(renderIndex(dialect, spec, found));
    },
  };
  return context;
}

/** One of MLflow's alembic revisions, replayed: the database goes from revision `from` to revision `to`. */
export interface MigrationStep {
  from: string;
  to: string;
  /** What MLflow's revision is called, for messages. */
  description: string;
  up(context: MigrationContext): Promise<void>;
}
