import { type Kysely, sql } from 'kysely';
import type { MlflowDatabase } from '../database-types.js';
import type { SqlDialectName } from '../sql-dialect-name.js';
import { quote } from './render-schema.js';

/** The name of the index that serves metric-ordered run searches. */
export const metricValueIndexName = 'cairn_latest_metrics_key_value';

/** An index Cairn adds to MLflow's schema. */
export interface CairnIndexSpec {
  /** Always starts with `cairn_`, so schema comparisons and people can tell it from MLflow's own. */
  readonly name: string;
  readonly table: keyof MlflowDatabase & string;
  readonly columns: readonly string[];
}

/**
 * Indexes beyond MLflow's schema. They change no table or column, so MLflow (which checks only the alembic
 * revision) still opens the database, and its migrations carry them along. Cairn creates them with a new
 * database and when `cairn db upgrade` runs; a store opening a database someone else made never alters it,
 * and works without them (only slower).
 *
 * `latest_metrics (key, value)` lets a search that filters and orders on one metric
 * (`metrics.acc > 0.5 ORDER BY metrics.acc DESC`) walk the metric's values in order and stop after a page,
 * instead of sorting every matching run: over 100,000 runs, ~120 ms -> ~3 ms on SQLite.
 */
export const cairnIndexes: readonly CairnIndexSpec[] = [
  { name: metricValueIndexName, table: 'latest_metrics', columns: ['key', 'value'] },
];

/** Which of {@link cairnIndexes} the database has. */
export async function existingCairnIndexes(
  db: Kysely<MlflowDatabase>,
  dialect: SqlDialectName,
): Promise<Set<string>> {
  const names = cairnIndexes.map((index) => index.name);
  const query =
    dialect === 'sqlite'
      ? sql<{
          name: string;
        }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (${sql.join(names)})`
      : dialect === 'postgres'
        ? sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes
            WHERE schemaname = current_schema() AND indexname IN (${sql.join(names)})`
        : sql<{ name: string }>`SELECT DISTINCT index_name AS name FROM information_schema.statistics
            WHERE table_schema = DATABASE() AND index_name IN (${sql.join(names)})`;
  const result = await query.execute(db);
  return new Set(result.rows.map((row) => row.name));
}

/**
 * Creates whichever of {@link cairnIndexes} the database lacks and returns their names. Call it under the
 * schema lock: the check and the CREATE must not race another process doing the same.
 */
export async function addCairnIndexes(
  db: Kysely<MlflowDatabase>,
  dialect: SqlDialectName,
): Promise<string[]> {
  const present = await existingCairnIndexes(db, dialect);
  const added: string[] = [];
  for (const index of cairnIndexes) {
    if (present.has(index.name)) continue;
    const columns = index.columns.map((column) => quote(dialect, column)).join(', ');
    await sql
      .raw(`CREATE INDEX ${quote(dialect, index.name)} ON ${quote(dialect, index.table)} (${columns})`)
      .execute(db);
    added.push(index.name);
  }
  return added;
}
