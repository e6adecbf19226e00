import {
  assertParamsUnchanged,
  assertRunActive,
  doesNotExist,
  isLaterMetric,
  type LogBatchContent,
  type Metric,
  systemTags,
} from '@cairn/core';
import type { SqlDatabase } from './open-sql-database.js';
import { insertIgnoringDuplicates, upsertRows } from './sql-bulk-insert.js';
import { writeLoggedModelMetrics } from './sql-logged-models.js';
import { lockRun, type SqlTransaction, writeTransaction } from './sql-transaction.js';
import { booleanParameter, metricValueFromRow, storedMetricValue, toNumber } from './sql-values.js';

/** Rows per INSERT of tags, well under every dialect's bound-parameter limit. */
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

const paramColumns = ['key', 'value', 'run_uuid'] as const;
const metricColumns = ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'] as const;

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
    paramColumns,
    fresh.map((param) => [param.key, param.value, runId]),
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
  // Identical points in one batch need no filtering: each INSERT skips a row whose primary key exists,
  // including one the same statement inserted a row earlier.
  const rows: unknown[][] = [];
  const candidates = new Map<string, Metric>();
  const notNan = booleanParameter(database.dialect, false);
  const nan = booleanParameter(database.dialect, true);
  for (const metric of metrics) {
    const stored = storedMetricValue(metric.value);
    rows.push([metric.key, stored.value, metric.timestamp, metric.step, stored.isNan ? nan : notNan, runId]);
    const current = candidates.get(metric.key);
    if (current === undefined || isLaterMetric(metric, current)) candidates.set(metric.key, metric);
  }
  await insertIgnoringDuplicates(database, transaction, 'metrics', metricColumns, rows);

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
  const inserts: unknown[][] = [];
  const updates: unknown[][] = [];
  for (const candidate of candidates.values()) {
    const previous = current.get(candidate.key);
    if (previous !== undefined && !isLaterMetric(candidate, previous)) continue;
    const stored = storedMetricValue(candidate.value);
    const row = [
      candidate.key,
      stored.value,
      candidate.timestamp,
      candidate.step,
      stored.isNan ? nan : notNan,
      runId,
    ];
    (previous === undefined ? inserts : updates).push(row);
  }
  if (database.dialect !== 'mysql') {
    // One statement for every key the batch moves (10 keys were 10 statements, 10 round trips elsewhere).
    await upsertRows(
      database,
      transaction,
      'latest_metrics',
      metricColumns,
      ['key', 'run_uuid'],
      [...inserts, ...updates],
    );
    return;
  }
  // On InnoDB an upsert takes next-key locks on the rows it finds, which can deadlock batches to other runs
  // sharing the key's index range; an INSERT of new keys and UPDATEs by primary key lock only their rows.
  for (const [key, value, timestamp, step, isNan] of updates) {
    await transaction
      .updateTable('latest_metrics')
      .set({
        value: value as number,
        timestamp: timestamp as number,
        step: step as number,
        is_nan: isNan as number,
      })
      .where('run_uuid', '=', runId)
      .where('key', '=', key as string)
      .execute();
  }
  await insertIgnoringDuplicates(database, transaction, 'latest_metrics', metricColumns, inserts);
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
