import { type Kysely, sql } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import type { SqlDatabase } from './open-sql-database.js';

/** A Kysely handle bound to one open transaction. */
export type SqlTransaction = Kysely<MlflowDatabase>;

/**
 * Runs `work` in one write transaction. SQLite starts it with BEGIN IMMEDIATE so the write lock is taken
 * up front (a deferred transaction that upgrades later can fail with SQLITE_BUSY despite busy_timeout).
 */
export async function writeTransaction<T>(
  database: SqlDatabase,
  work: (transaction: SqlTransaction) => Promise<T>,
): Promise<T> {
  if (database.dialect !== 'sqlite') return database.db.transaction().execute(work);
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
