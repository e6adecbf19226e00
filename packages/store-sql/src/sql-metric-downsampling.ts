import type { Metric, MetricHistoryDownsampleReader, MetricStepBuckets } from '@cairn/core';
import { sql } from 'kysely';
import type { SqlDatabase } from './open-sql-database.js';
import { createSqlMetricSampleReader } from './sql-metric-sampling.js';
import { booleanParameter, metricValueFromRow, toNumber } from './sql-values.js';

interface PointRow {
  step: number | string;
  timestamp: number | string;
  value: number | string;
  is_nan: boolean | number | string;
}

/**
 * get-history-downsampled's reads in SQL: only each bucket's lowest and highest point leaves the database.
 * SQLite gets no help from a GROUP BY here (the bucket is an expression, so it sorts every point through a
 * temporary B-tree: seconds for a million points); instead the buckets' step bounds are generated in SQL and
 * each bucket picks its two rows by index range (`index_metrics_run_uuid_key_step`), so the points are
 * walked twice in index order and never sorted as a whole. PostgreSQL and MySQL rank the points of each
 * bucket with window functions, which their planners sort and hash well.
 */
export function createSqlMetricDownsampleReader(database: SqlDatabase): MetricHistoryDownsampleReader {
  const { db, dialect } = database;
  const notNan = booleanParameter(dialect, false);

  const toMetric =
    (metricKey: string) =>
    (row: PointRow): Metric => ({
      key: metricKey,
      value: metricValueFromRow(row.value, row.is_nan),
      timestamp: toNumber(row.timestamp),
      step: toNumber(row.step),
    });

  async function sqliteExtremes(runId: string, metricKey: string, range: MetricStepBuckets) {
    // better-sqlite3 binds every JS number as a double, which would make the bounds' division fractional.
    const integer = (value: number) => sql`CAST(${value} AS INTEGER)`;
    const start = integer(range.startStep);
    const buckets = integer(range.buckets);
    const span = integer(range.endStep - range.startStep + 1);
    // Bucket i holds the steps s with floor((s - start) * buckets / span) = i, i.e. from
    // start + ceil(i * span / buckets) to start + ceil((i + 1) * span / buckets) - 1.
    const pick = (direction: 'ASC' | 'DESC') => sql`(
      SELECT m.rowid FROM metrics AS m INDEXED BY index_metrics_run_uuid_key_step
      WHERE m.run_uuid = ${runId} AND m.key = ${metricKey} AND m.step BETWEEN bounds.low_step AND bounds.high_step
        AND m.is_nan = ${notNan}
      ORDER BY m.value ${sql.raw(direction)}, m.step, m.timestamp LIMIT 1)`;
    const { rows } = await sql<PointRow>`
      WITH RECURSIVE bucket_numbers(i) AS (
        SELECT 0 UNION ALL SELECT i + 1 FROM bucket_numbers WHERE i + 1 < ${buckets}
      ),
      bounds AS (
        SELECT ${start} + (i * ${span} + ${buckets} - 1) / ${buckets} AS low_step,
               ${start} + ((i + 1) * ${span} + ${buckets} - 1) / ${buckets} - 1 AS high_step
        FROM bucket_numbers
      ),
      picks AS (
        SELECT ${pick('ASC')} AS low_id, ${pick('DESC')} AS high_id FROM bounds WHERE low_step <= high_step
      )
      SELECT step, timestamp, value, is_nan FROM metrics
      WHERE rowid IN (SELECT low_id FROM picks UNION SELECT high_id FROM picks)
      ORDER BY step, timestamp`.execute(db);
    return rows;
  }

  async function rankedExtremes(runId: string, metricKey: string, range: MetricStepBuckets) {
    const { startStep: start, endStep: end, buckets } = range;
    const span = end - start + 1;
    // Integer division in 64 bits on both: MySQL's `/` would be decimal.
    const divide = dialect === 'mysql' ? sql.raw('DIV') : sql.raw('/');
    const [step, timestamp, value, isNan] = [
      sql.ref('step'),
      sql.ref('timestamp'),
      sql.ref('value'),
      sql.ref('is_nan'),
    ];
    const { rows } = await sql<PointRow>`
      SELECT ${step}, ${timestamp}, ${value}, ${isNan} FROM (
        SELECT ${step}, ${timestamp}, ${value}, ${isNan},
          ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY ${value} ASC, ${step} ASC, ${timestamp} ASC) AS low_rank,
          ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY ${value} DESC, ${step} ASC, ${timestamp} ASC) AS high_rank
        FROM (
          SELECT ${step}, ${timestamp}, ${value}, ${isNan},
            ((${step} - ${start}) * ${buckets}) ${divide} ${span} AS bucket
          FROM metrics
          WHERE run_uuid = ${runId} AND ${sql.ref('key')} = ${metricKey}
            AND ${step} >= ${start} AND ${step} <= ${end} AND ${isNan} = ${notNan}
        ) points
      ) ranked
      WHERE low_rank = 1 OR high_rank = 1
      ORDER BY ${step}, ${timestamp}`.execute(db);
    return rows;
  }

  return {
    stepBounds: createSqlMetricSampleReader(database).stepBounds,
    async bucketExtremes(runId, metricKey, range) {
      const rows =
        dialect === 'sqlite'
          ? await sqliteExtremes(runId, metricKey, range)
          : await rankedExtremes(runId, metricKey, range);
      return rows.map(toMetric(metricKey));
    },
  };
}
