import { CairnError } from '@cairn/core';
import { type Kysely, sql } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import { migrationContext } from './migrations/migration-context.js';
import { migrationPlan, migrationSteps } from './migrations/migration-steps.js';
import { type OpenSqlDatabaseOptions, openSqlDatabase, type SqlDatabase } from './open-sql-database.js';
import { addCairnIndexes, existingCairnIndexes } from './schema/cairn-indexes.js';
import { mlflowSchemaRevision, mlflowSchemaVersion, olderMlflowRevisions } from './schema/mlflow-revision.js';
import { renderSchema } from './schema/render-schema.js';
import { sqlErrorToCairnError } from './with-cairn-errors.js';

/** What {@link upgradeDatabase} found and did. */
export interface UpgradeResult {
  /** The revision the database held before, undefined for an empty database. */
  previousRevision?: string;
  /** The revision it holds now. */
  revision: string;
  /** True when the schema was created by this call. */
  created: boolean;
  /** True when this call migrated an older MLflow schema to the current one. */
  upgraded: boolean;
  /** Cairn's own indexes (see `cairnIndexes`) this call added. */
  addedIndexes: string[];
  /** Cairn's own indexes the database has now. */
  cairnIndexes: string[];
}

/** The name of the cross-process lock schema creators take on PostgreSQL (a fixed 64-bit key) and MySQL. */
const postgresLockKey = 7_215_366_210_341_009n;
const mysqlLockName = 'cairn_mlflow_schema';

async function tableNames(db: Kysely<MlflowDatabase>, dialect: SqlDatabase['dialect']): Promise<string[]> {
  if (dialect === 'sqlite') {
    const rows = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db);
    return rows.rows.map((row) => row.name);
  }
  const schema = dialect === 'postgres' ? sql`current_schema()` : sql`database()`;
  const rows = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${schema}`.execute(db);
  return rows.rows.map((row) => row.name);
}

/** The alembic revision the database holds: undefined when it has no tables at all. */
async function readRevision(
  db: Kysely<MlflowDatabase>,
  dialect: SqlDatabase['dialect'],
  displayUri: string,
): Promise<string | undefined> {
  const tables = await tableNames(db, dialect);
  if (tables.length === 0) return undefined;
  if (!tables.includes('alembic_version')) {
    throw new CairnError(
      'INVALID_STATE',
      `The database ${displayUri} has tables but no alembic_version table, so it is not an MLflow database; use an empty database or one made by MLflow`,
    );
  }
  const row = await db.selectFrom('alembic_version').select('version_num').executeTakeFirst();
  if (row === undefined) {
    throw new CairnError('INVALID_STATE', `The database ${displayUri} has an empty alembic_version table`);
  }
  return row.version_num;
}

/** The oldest revision `cairn db upgrade` migrates from (MLflow 3.17's head). */
const oldestUpgradableRevision = migrationSteps[0]?.from ?? mlflowSchemaRevision;

/** The error for a database at a revision other than the one Cairn speaks. */
export function revisionMismatch(displayUri: string, revision: string, forUpgrade: boolean): CairnError {
  const at = `The database ${displayUri} is at MLflow schema revision ${revision}`;
  if (migrationPlan(revision) !== undefined) {
    // Only a store being opened gets here: `cairn db upgrade` migrates these itself.
    return new CairnError(
      'INVALID_STATE',
      `${at}, older than ${mlflowSchemaRevision} (MLflow ${mlflowSchemaVersion}): run 'cairn db upgrade ${displayUri}' (or 'mlflow db upgrade ${displayUri}' with MLflow ${mlflowSchemaVersion})`,
    );
  }
  if (olderMlflowRevisions.has(revision)) {
    const action = forUpgrade
      ? `Cairn upgrades databases from MLflow 3.17 (revision ${oldestUpgradableRevision}) on; run 'mlflow db upgrade ${displayUri}' with MLflow ${mlflowSchemaVersion} instead`
      : `run 'mlflow db upgrade ${displayUri}' with MLflow ${mlflowSchemaVersion} (Cairn upgrades databases from MLflow 3.17 on with 'cairn db upgrade')`;
    return new CairnError(
      'INVALID_STATE',
      `${at}, older than ${mlflowSchemaRevision} (MLflow ${mlflowSchemaVersion}): ${action}`,
    );
  }
  return new CairnError(
    'INVALID_STATE',
    `${at}, not ${mlflowSchemaRevision} (MLflow ${mlflowSchemaVersion}). If it was made by a newer MLflow, this Cairn version cannot use it; if it is older, run 'mlflow db upgrade ${displayUri}' with MLflow ${mlflowSchemaVersion}`,
  );
}

/**
 * Replays MLflow's migrations from `revision` to the head on the locked connection. On MySQL, whose DDL
 * commits as it goes, `alembic_version` follows each step, so a run cut off midway resumes at the step it
 * was in (every step checks before it changes); elsewhere the caller's transaction makes it all or nothing.
 */
async function migrate(
  db: Kysely<MlflowDatabase>,
  dialect: SqlDatabase['dialect'],
  revision: string,
): Promise<boolean> {
  const plan = migrationPlan(revision);
  if (plan === undefined) return false;
  const context = migrationContext(db, dialect);
  for (const step of plan) {
    await step.up(context);
    if (dialect === 'mysql') await setRevision(db, step.to);
  }
  await setRevision(db, mlflowSchemaRevision);
  return true;
}

async function setRevision(db: Kysely<MlflowDatabase>, revision: string): Promise<void> {
  await db.updateTable('alembic_version').set({ version_num: revision }).execute();
}

async function createSchema(db: Kysely<MlflowDatabase>, dialect: SqlDatabase['dialect']): Promise<void> {
  for (const statement of renderSchema(dialect)) await sql.raw(statement).execute(db);
}

/** Checks (and when empty, creates) the schema while holding a lock that keeps other creators out. */
async function withSchemaLock(
  database: SqlDatabase,
  create: boolean,
  forUpgrade: boolean,
): Promise<UpgradeResult> {
  const { db, dialect, displayUri } = database;
  // Cairn's indexes come with a schema Cairn creates or upgrades; a database opened as it is stays as it is.
  const withIndexes = async (
    connection: Kysely<MlflowDatabase>,
    result: Omit<UpgradeResult, 'addedIndexes' | 'cairnIndexes'>,
    add: boolean,
  ): Promise<UpgradeResult> => {
    const addedIndexes = add ? await addCairnIndexes(connection, dialect) : [];
    const present = [...(await existingCairnIndexes(connection, dialect))].sort();
    return { ...result, addedIndexes, cairnIndexes: present };
  };
  const step = async (connection: Kysely<MlflowDatabase>): Promise<UpgradeResult> => {
    const revision = await readRevision(connection, dialect, displayUri);
    if (revision === mlflowSchemaRevision) {
      return withIndexes(
        connection,
        { previousRevision: revision, revision, created: false, upgraded: false },
        forUpgrade,
      );
    }
    if (revision !== undefined) {
      if (forUpgrade && (await migrate(connection, dialect, revision))) {
        return withIndexes(
          connection,
          { previousRevision: revision, revision: mlflowSchemaRevision, created: false, upgraded: true },
          true,
        );
      }
      throw revisionMismatch(displayUri, revision, forUpgrade);
    }
    if (!create) {
      throw new CairnError(
        'INVALID_STATE',
        `The database ${displayUri} is empty and schema creation is off; run 'cairn db upgrade ${displayUri}' first`,
      );
    }
    await createSchema(connection, dialect);
    return withIndexes(connection, { revision: mlflowSchemaRevision, created: true, upgraded: false }, true);
  };
  if (dialect === 'sqlite') {
    // SQLite's DDL is transactional; BEGIN IMMEDIATE takes the write lock before the emptiness check.
    return db.connection().execute(async (connection) => {
      await sql`BEGIN IMMEDIATE`.execute(connection);
      try {
        const result = await step(connection);
        await sql`COMMIT`.execute(connection);
        return result;
      } catch (error) {
        await sql`ROLLBACK`.execute(connection);
        throw error;
      }
    });
  }
  if (dialect === 'postgres') {
    return db.transaction().execute(async (transaction) => {
      await sql`SELECT pg_advisory_xact_lock(${postgresLockKey.toString()}::bigint)`.execute(transaction);
      return step(transaction);
    });
  }
  // MySQL commits around each DDL statement, so a named lock (not a transaction) keeps creators apart.
  return db.connection().execute(async (connection) => {
    const locked = await sql<{
      locked: number | null;
    }>`SELECT GET_LOCK(${mysqlLockName}, 120) AS locked`.execute(connection);
    if (Number(locked.rows[0]?.locked) !== 1) {
      throw new CairnError(
        'INVALID_STATE',
        `Timed out waiting for another process creating or upgrading ${displayUri}'s schema`,
      );
    }
    try {
      return await step(connection);
    } finally {
      await sql`SELECT RELEASE_LOCK(${mysqlLockName})`.execute(connection);
    }
  });
}

/** Options of {@link ensureDatabaseSchema}. */
export interface EnsureSchemaOptions {
  /** Create the schema in an empty database; default true. */
  create?: boolean;
  /**
   * Act as `cairn db upgrade`: migrate a database of an older MLflow release Cairn covers (3.17 on) and
   * word errors for the command rather than for a store being opened; default false.
   */
  forUpgrade?: boolean;
}

/**
 * Brings an open database to MLflow 3.18.0's schema: an empty database is created in full (tables,
 * indexes and the `alembic_version` row), one already there is left alone, one of MLflow 3.17 is migrated
 * when `forUpgrade` is set, and any other revision is refused with an error naming it and what to run.
 */
export async function ensureDatabaseSchema(
  database: SqlDatabase,
  options: EnsureSchemaOptions = {},
): Promise<UpgradeResult> {
  return withSchemaLock(database, options.create ?? true, options.forUpgrade ?? false);
}

/**
 * Opens the database at `uri`, brings it to MLflow 3.18.0's schema — creating it when empty, migrating it
 * when MLflow 3.17 wrote it — and closes it. The `cairn db upgrade` entry point; safe to run from several
 * processes at once (one does the work under the schema lock, the others then find it current).
 */
export async function upgradeDatabase(
  uri: string,
  options: OpenSqlDatabaseOptions = {},
): Promise<UpgradeResult> {
  const database = openSqlDatabase(uri, options);
  try {
    return await ensureDatabaseSchema(database, { create: true, forUpgrade: true });
  } catch (error) {
    throw sqlErrorToCairnError(error, database.displayUri);
  } finally {
    await database.close();
  }
}
