import type { Comparison, OrderByClause } from '@cairn/core';
import { type RawBuilder, sql } from 'kysely';
import type { SqlDatabase } from './open-sql-database.js';
import { metricValueIndexName } from './schema/cairn-indexes.js';
import type { SqlDialectName } from './sql-dialect-name.js';
import { numericCondition } from './sql-filter.js';
import type { RunSearchPlan } from './sql-order.js';
import { booleanParameter } from './sql-values.js';

/**
 * A bounded walk over one metric's entries of Cairn's `latest_metrics (key, value)` index, in the search's
 * order: at most `window` entries, from value `from` on (inclusive; where the page token's position left
 * off). A walk that finds a page among its first entries costs a page, not a sort of every run; one whose
 * filter matches too few of them gives up after `window` entries and the search runs as without the index.
 */
export interface MetricWalk {
  window: number;
  from?: number;
}

/**
 * Whether a run search ordered first by a metric tries a {@link MetricWalk}: on SQLite with Cairn's index.
 * SQLite's planner, without statistics, joins every run and sorts (~0.5 s for a page over 100,000 runs,
 * against ~10 ms walking), so the walk is spelled out: `INDEXED BY`, and the metric's entries as the outer
 * loop of a CROSS JOIN. PostgreSQL and MySQL choose with their statistics.
 */
export function walksFirstMetric(
  dialect: SqlDialectName,
  orderBy: readonly OrderByClause[],
  plan: RunSearchPlan,
): boolean {
  return dialect === 'sqlite' && plan.metricValueIndex && orderBy[0]?.entity === 'metric';
}

/** How many index entries a walk visits for a page of `limit` rows: ten per row, at least 1,000. */
export const walkWindow = (limit: number) => Math.max(1_000, 10 * limit);

/** The walked entries: the metric's present, non-NaN values meeting the folded clauses, from `from`, in order. */
function walkSource(
  dialect: SqlDialectName,
  clause: OrderByClause,
  folded: readonly Comparison[],
  walk: MetricWalk,
): RawBuilder<unknown> {
  const value = sql.ref('value');
  const conditions = [
    sql`${sql.ref('key')} = ${clause.key}`,
    sql`${sql.ref('is_nan')} = ${booleanParameter(dialect, false)}`,
    ...folded.map((filterClause) => numericCondition(value, filterClause)),
    ...(walk.from === undefined
      ? []
      : [sql`${value} ${sql.raw(clause.ascending ? '>=' : '<=')} ${walk.from}`]),
  ];
  return sql`FROM ${sql.table('latest_metrics')} INDEXED BY ${sql.raw(metricValueIndexName)} WHERE ${sql.join(
    conditions,
    sql` AND `,
  )} ORDER BY ${value} ${sql.raw(clause.ascending ? 'ASC' : 'DESC')}`;
}

/** The FROM clause of a walking search: the walked entries as `alias`, each joined to its run. */
export function walkDriver(
  dialect: SqlDialectName,
  alias: string,
  clause: OrderByClause,
  folded: readonly Comparison[],
  walk: MetricWalk,
): RawBuilder<unknown> {
  const source = walkSource(dialect, clause, folded, walk);
  return sql`(SELECT ${sql.ref('run_uuid')}, ${sql.ref('key')}, ${sql.ref('value')}, ${sql.ref('is_nan')} ${source} LIMIT ${sql.raw(String(walk.window))}) AS ${sql.raw(alias)} CROSS JOIN ${sql.table('runs')} ON ${sql.ref(`${alias}.run_uuid`)} = ${sql.ref('runs.run_uuid')}`;
}

/**
 * The value of the walk's last entry, or undefined when the walk reaches the end of the metric's entries.
 * Entries beyond the walk sort at or after it, so rows found strictly before it are the search's first rows.
 */
export async function walkBoundary(
  database: SqlDatabase,
  clause: OrderByClause,
  folded: readonly Comparison[],
  walk: MetricWalk,
): Promise<number | undefined> {
  const source = walkSource(database.dialect, clause, folded, walk);
  const result = await sql<{ value: number }>`SELECT ${sql.ref('value')} ${source} LIMIT 1 OFFSET ${sql.raw(
    String(walk.window - 1),
  )}`.execute(database.db);
  const row = result.rows[0];
  return row === undefined ? undefined : Number(row.value);
}
