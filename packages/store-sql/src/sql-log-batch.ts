import {
  assertParamsUnchanged,
  assertRunActive,
  doesNotExist,
  isLaterMetric,
  type LogBatchContent,
  type Metric,
  systemTags,
} from '@cairn/core';
import { sql } from 'kysely';
import type { SqlDatabase } from './open-sql-database.js';
import { writeLoggedModelMetrics } from './sql-logged-models.js';
import { lockRun, type SqlTransaction, writeTransaction } from './sql-transaction.js';
import { booleanParameter, metricValueFromRow, storedMetricValue, toNumber } from './sql-values.js';

/** Rows per INSERT, well under every dialect's bound-parameter limit. */
const chunkSize = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += chunkSize)
    result.push(items.slice(start, start + chunkSize));
  return result;
}

/** Last write wins within a batch for params and tags, as the memory store and MLflow do. */
function lastByKey<T extends { key: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [item.key, item])).values()];
}

/** Inserts rows, skipping any whose primary key already exists (a retried batch is not an error). */
async function insertIgnoringDuplicates(
  database: SqlDatabase,
  transaction: SqlTransaction,
  table: 'metrics' | 'params',
  rows: Record<string, unknown>[],
): Promise<void> {
  for (const chunk of chunks(rows)) {
    const insert = transaction.insertInto(table).values(chunk as never);
    // A no-op update rather than INSERT IGNORE, which would also hide truncation and other errors.
    if (database.dialect === 'mysql') await insert.onDuplicateKeyUpdate({ key: sql.ref('key') }).execute();
    else await insert.onConflict((conflict) => conflict.doNothing()).execute();
  }
}

async function writeParams(
  database: SqlDatabase,
  transaction: SqlTransaction,
  runId: string,
  params: LogBatchContent['params'],
): Promise<void> {
  const unique = lastByKey(params);
  if (unique.length === 0) return;
  const existing = await transaction
    .selectFrom('params')
    .select(['key', 'value'])
    .where('run_uuid', '=', runId)
    .where(
      'key',
      'in',
      unique.map((param) => param.key),
    )
    .execute();
  const stored = new Map(existing.map((row) => [row.key, row.value]));
  assertParamsUnchanged(runId, unique, (key) => stored.get(key));
  const fresh = unique.filter((param) => !stored.has(param.key));
  await insertIgnoringDuplicates(
    database,
    transaction,
    'params',
    fresh.map((param) => ({ key: param.key, value: param.value, run_uuid: runId })),
  );
}

/**
 * Sets run tags (overwriting), keeping `runs.name` in step with the `mlflow.runName` tag. Existing tags are
 * updated by primary key and new ones inserted: a range DELETE would take gap locks that deadlock
 * concurrent writers to other runs on InnoDB.
 */
export async function writeRunTags(
  transaction: SqlTransaction,
  runId: string,
  tags: readonly { key: string; value: string }[],
  newRun = false,
): Promise<void> {
  const unique = lastByKey(tags);
  if (unique.length === 0) return;
  const existing = newRun
    ? new Set<string>()
    : new Set(
        (
          await transaction
            .selectFrom('tags')
            .select('key')
            .where('run_uuid', '=', runId)
            .where(
              'key',
              'in',
              unique.map((tag) => tag.key),
            )
            .execute()
        ).map((row) => row.key),
      );
  for (const tag of unique.filter((candidate) => existing.has(candidate.key))) {
    await transaction
      .updateTable('tags')
      .set({ value: tag.value })
      .where('run_uuid', '=', runId)
      .where('key', '=', tag.key)
      .execute();
  }
  for (const chunk of chunks(unique.filter((candidate) => !existing.has(candidate.key)))) {
    await transaction
      .insertInto('tags')
      .values(chunk.map((tag) => ({ key: tag.key, value: tag.value, run_uuid: runId })))
      .execute();
  }
  const runName = unique.find((tag) => tag.key === systemTags.runName);
  if (runName !== undefined && !newRun) {
    await transaction
      .updateTable('runs')
      .set({ name: runName.value })
      .where('run_uuid', '=', runId)
      .execute();
  }
}

async function writeMetrics(
  database: SqlDatabase,
  transaction: SqlTransaction,
  runId: string,
  metrics: readonly Metric[],
): Promise<void> {
  if (metrics.length === 0) return;
  const rows = new Map<string, Record<string, unknown>>();
  const candidates = new Map<string, Metric>();
  for (const metric of metrics) {
    const stored = storedMetricValue(metric.value);
    // The primary key: identical points in one batch would otherwise collide inside a single INSERT.
    const identity = JSON.stringify([metric.key, metric.timestamp, metric.step, stored.value, stored.isNan]);
    if (!rows.has(identity)) {
      rows.set(identity, {
        key: metric.key,
        value: stored.value,
        timestamp: metric.timestamp,
        step: metric.step,
        is_nan: booleanParameter(database.dialect, stored.isNan),
        run_uuid: runId,
      });
    }
    const current = candidates.get(metric.key);
    if (current === undefined || isLaterMetric(metric, current)) candidates.set(metric.key, metric);
  }
  await insertIgnoringDuplicates(database, transaction, 'metrics', [...rows.values()]);

  // The run row is locked, so reading then writing latest_metrics cannot race another batch.
  const latest = await transaction
    .selectFrom('latest_metrics')
    .selectAll()
    .where('run_uuid', '=', runId)
    .where('key', 'in', [...candidates.keys()])
    .execute();
  const current = new Map(
    latest.map((row) => [
      row.key,
      {
        key: row.key,
        value: metricValueFromRow(row.value, row.is_nan),
        timestamp: row.timestamp === null ? 0 : toNumber(row.timestamp),
        step: toNumber(row.step),
      } satisfies Metric,
    ]),
  );
  for (const candidate of candidates.values()) {
    const previous = current.get(candidate.key);
    if (previous !== undefined && !isLaterMetric(candidate, previous)) continue;
    const stored = storedMetricValue(candidate.value);
    const values = {
      value: stored.value,
      timestamp: candidate.timestamp,
      step: candidate.step,
      is_nan: booleanParameter(database.dialect, stored.isNan),
    };
    if (previous === undefined) {
      await transaction
        .insertInto('latest_metrics')
        .values({ ...values, key: candidate.key, run_uuid: runId })
        .execute();
    } else {
      await transaction
        .updateTable('latest_metrics')
        .set(values)
        .where('run_uuid', '=', runId)
        .where('key', '=', candidate.key)
        .execute();
    }
  }
}

/**
 * Writes an already validated batch in one transaction: the run's row is locked first, so concurrent
 * batches to one run serialise and `latest_metrics` stays exact; metric points already stored are skipped,
 * so a retried batch succeeds without duplicates.
 */
export async function logBatchInSql(
  database: SqlDatabase,
  runId: string,
  batch: LogBatchContent,
): Promise<void> {
  await writeTransaction(database, async (transaction) => {
    const run = await lockRun(database, transaction, runId);
    if (run === undefined) throw doesNotExist(`Run with id=${runId} not found`);
    assertRunActive({
      run_id: runId,
      lifecycle_stage: run.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    });
    await writeParams(database, transaction, runId, batch.params);
    await writeRunTags(transaction, runId, batch.tags);
    await writeMetrics(database, transaction, runId, batch.metrics);
    await writeLoggedModelMetrics(transaction, runId, batch.metrics);
  });
}
