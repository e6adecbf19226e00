import { type Kysely, sql } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import { type SqlDatabase, sqliteWriteLock } from './open-sql-database.js';

const maxAttempts = 5;

/** Deadlock and serialisation failures: MySQL 1213, PostgreSQL 40P01 and 40001. */
function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  return errno === 1213 || code === 'ER_LOCK_DEADLOCK' || code === '40P01' || code === '40001';
}

/** A Kysely handle bound to one open transaction. */
export type SqlTransaction = Kysely<MlflowDatabase>;

/**
 * Runs `work` in one write transaction. SQLite starts it with BEGIN IMMEDIATE so the write lock is taken
 * up front (a deferred transaction that upgrades later can fail with SQLITE_BUSY despite busy_timeout),
 * inside the database's `sqliteWriteLock` when one was given.
 */
export async function writeTransaction<T>(
  database: SqlDatabase,
  work: (transaction: SqlTransaction) => Promise<T>,
): Promise<T> {
  if (database.dialect !== 'sqlite') {
    // InnoDB and PostgreSQL may pick a transaction as a deadlock victim; the whole unit is safe to rerun.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await database.db.transaction().execute(work);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * 10 * Math.random()));
      }
    }
  }
  // Taken before the connection: other processes then queue on it, not on SQLite's sleeping busy handler.
  const release = await sqliteWriteLock(database)?.acquire();
  try {
    return await sqliteTransaction(database, work);
  } finally {
    release?.();
  }
}

/** BEGIN IMMEDIATE, `work`, COMMIT (ROLLBACK on failure) on the database's one SQLite connection. */
function sqliteTransaction<T>(
  database: SqlDatabase,
  work: (transaction: SqlTransaction) => Promise<T>,
): Promise<T> {
  return database.db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await sql`ROLLBACK`.execute(connection);
      throw error;
    }
    await sql`COMMIT`.execute(connection);
    return result;
  });
}

/** Locks a run's row until the transaction ends (PostgreSQL, MySQL); SQLite's write lock already covers it. */
export async function lockRun(
  database: SqlDatabase,
  transaction: SqlTransaction,
  runId: string,
): Promise<{ lifecycle_stage: string | null } | undefined> {
  let query = transaction.selectFrom('runs').select('lifecycle_stage').where('run_uuid', '=', runId);
  if (database.dialect !== 'sqlite') query = query.forUpdate();
  return query.executeTakeFirst();
}
