import { resolve } from 'node:path';
import {
  assertRunActive,
  CairnError,
  type CreateRunInput,
  createRunId,
  doesNotExist,
  downsampleMetricHistory,
  type GetMetricHistoryInput,
  invalidParameter,
  type LogBatchInput,
  pathToFileUri,
  type Run,
  resolveRunName,
  sampleMetricHistoryBulkInterval,
  systemTags,
  type TrackingStore,
  type UpdateRunInput,
  validateLogBatch,
  validateRunTag,
} from '@cairn/core';
import { type OpenSqlDatabaseOptions, openSqlDatabase, type SqlDatabase } from './open-sql-database.js';
import { metricValueIndexName } from './schema/cairn-indexes.js';
import {
  createExperimentOperations,
  ensureDefaultExperiment,
  experimentLookup,
} from './sql-experiment-operations.js';
import { logInputsInSql, logOutputsInSql } from './sql-inputs.js';
import { logBatchInSql, writeRunTags } from './sql-log-batch.js';
import { createSqlLoggedModelOperations } from './sql-logged-models.js';
import { createSqlMetricDownsampleReader } from './sql-metric-downsampling.js';
import { metricHistoryPageInSql } from './sql-metric-history.js';
import { createSqlMetricSampleReader } from './sql-metric-sampling.js';
import type { RunSearchPlan } from './sql-order.js';
import { loadRuns, runInfoFromRow } from './sql-rows.js';
import { searchRunsInSql } from './sql-search.js';
import { searchDatasetsInSql } from './sql-search-datasets.js';
import { lockRun, writeTransaction } from './sql-transaction.js';
import { experimentIdNumber, toNumber } from './sql-values.js';
import { ensureDatabaseSchema } from './upgrade-database.js';
import { withCairnErrors } from './with-cairn-errors.js';

/** Options of {@link createSqlTrackingStore}. */
export interface SqlTrackingStoreOptions extends OpenSqlDatabaseOptions {
  /** `sqlite:///path.db`, `postgresql://user:password@host/db` or `mysql://user:password@host/db`. */
  uri: string;
  /** Where experiments' artifacts go by default; default `./mlruns` as a file URI, as MLflow does. */
  artifactRoot?: string;
  /** Create MLflow's schema in an empty database; default true. When false an empty database is an error. */
  createSchema?: boolean;
}

/**
 * A tracking store over SQL in MLflow 3.18.0's schema: a database MLflow made opens as is, and MLflow opens
 * one Cairn made. SQLite, PostgreSQL and MySQL/MariaDB; the driver is imported on first use.
 */
export function createSqlTrackingStore(options: SqlTrackingStoreOptions): TrackingStore {
  const database: SqlDatabase = openSqlDatabase(options.uri, options);
  const { db } = database;
  const artifactRoot = (options.artifactRoot ?? pathToFileUri(resolve('mlruns'))).replace(/\/+$/u, '');
  let closed = false;

  const searchPlan: RunSearchPlan = { metricValueIndex: false };
  const ready = (async () => {
    const schema = await ensureDatabaseSchema(database, { create: options.createSchema ?? true });
    searchPlan.metricValueIndex = schema.cairnIndexes.includes(metricValueIndexName);
    await ensureDefaultExperiment(database, artifactRoot);
  })();
  // A failure surfaces on the first call; this keeps it from being reported as unhandled before then.
  ready.catch(() => undefined);

  const open = async () => {
    if (closed) throw new CairnError('INVALID_STATE', 'The SQL tracking store is closed');
    await ready;
  };

  const findRunRow = async (runId: string) => {
    await open();
    const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
    if (row === undefined) throw doesNotExist(`Run with id=${runId} not found`);
    return row;
  };
  const findActiveRun = async (runId: string) => {
    const row = await findRunRow(runId);
    assertRunActive(runInfoFromRow(row));
    return row;
  };
  const experiments = createExperimentOperations({ database, artifactRoot, open });
  const { findActiveExperiment, findExperimentRow } = experimentLookup({ database, artifactRoot, open });
  const loggedModels = createSqlLoggedModelOperations({ database, open, findExperimentRow });

  const store: TrackingStore = {
    specificationVersion: 'v1',
    capabilities: {
      atomicBatches: true,
      concurrentWriters: true,
      searchPushdown: true,
      purgeExperiments: true,
    },

    ...experiments,

    async createRun(input: CreateRunInput) {
      const experiment = await findActiveExperiment(input.experimentId);
      const validTags = (input.tags ?? []).map(validateRunTag);
      const { runName, tags } = resolveRunName(input.runName, validTags);
      const runId = createRunId();
      await writeTransaction(database, async (transaction) => {
        await transaction
          .insertInto('runs')
          .values({
            run_uuid: runId,
            name: runName,
            source_type: 'UNKNOWN',
            source_name: '',
            entry_point_name: '',
            user_id: input.userId ?? '',
            status: 'RUNNING',
            start_time: input.startTime ?? Date.now(),
            end_time: null,
            source_version: '',
            lifecycle_stage: 'active',
            artifact_uri: `${experiment.artifact_location ?? artifactRoot}/${runId}/artifacts`,
            experiment_id: Number(experiment.experiment_id),
            deleted_time: null,
          })
          .execute();
        // resolveRunName already put the name into both the row and the tags.
        await writeRunTags(transaction, runId, tags, true);
      });
      return this.getRun(runId);
    },

    async getRun(runId) {
      const [run] = await loadRuns(db, [await findRunRow(runId)]);
      return run as Run;
    },

    async updateRun(input: UpdateRunInput) {
      await findActiveRun(input.runId);
      if (input.endTime !== undefined && (!Number.isInteger(input.endTime) || input.endTime < 0)) {
        throw invalidParameter(`Invalid end_time ${input.endTime}: it must be a non-negative integer`, {
          field: 'end_time',
        });
      }
      const runName =
        input.runName !== undefined && input.runName !== ''
          ? validateRunTag({ key: systemTags.runName, value: input.runName }).value
          : undefined;
      await writeTransaction(database, async (transaction) => {
        const changes: { status?: string; end_time?: number } = {};
        if (input.status !== undefined) changes.status = input.status;
        if (input.endTime !== undefined) changes.end_time = input.endTime;
        if (Object.keys(changes).length > 0) {
          await transaction.updateTable('runs').set(changes).where('run_uuid', '=', input.runId).execute();
        }
        if (runName !== undefined)
          await writeRunTags(transaction, input.runId, [{ key: systemTags.runName, value: runName }]);
      });
      return runInfoFromRow(await findRunRow(input.runId));
    },

    async deleteRun(runId) {
      await findRunRow(runId);
      await db
        .updateTable('runs')
        .set({ lifecycle_stage: 'deleted', deleted_time: Date.now() })
        .where('run_uuid', '=', runId)
        .execute();
    },

    async restoreRun(runId) {
      await findRunRow(runId);
      await db
        .updateTable('runs')
        .set({ lifecycle_stage: 'active', deleted_time: null })
        .where('run_uuid', '=', runId)
        .execute();
    },

    async listDeletedRuns(input = {}) {
      await open();
      let query = db.selectFrom('runs').selectAll().where('lifecycle_stage', '=', 'deleted');
      if (input.experimentIds !== undefined) {
        const ids = input.experimentIds.map(experimentIdNumber).filter((id) => id !== undefined);
        if (ids.length === 0) return [];
        query = query.where('experiment_id', 'in', ids);
      }
      return (await query.execute()).map((row) =>
        row.deleted_time === null
          ? { info: runInfoFromRow(row) }
          : { info: runInfoFromRow(row), deletedTime: toNumber(row.deleted_time) },
      );
    },

    async purgeRun(runId) {
      const row = await findRunRow(runId);
      if (row.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Run ${runId} must be deleted before it is purged`, { field: 'run_id' });
      }
      await writeTransaction(database, async (transaction) => {
        const inputs = transaction
          .selectFrom('inputs')
          .select('input_uuid')
          .where('destination_id', '=', runId);
        await transaction.deleteFrom('input_tags').where('input_uuid', 'in', inputs).execute();
        await transaction.deleteFrom('inputs').where('destination_id', '=', runId).execute();
        await transaction.deleteFrom('inputs').where('source_id', '=', runId).execute();
        for (const table of ['metrics', 'latest_metrics', 'params', 'tags'] as const) {
          await transaction.deleteFrom(table).where('run_uuid', '=', runId).execute();
        }
        await transaction.deleteFrom('runs').where('run_uuid', '=', runId).execute();
      });
    },

    async searchRuns(input) {
      await open();
      return searchRunsInSql(database, input, searchPlan);
    },

    async logBatch(input: LogBatchInput) {
      await findActiveRun(input.runId);
      // Everything is checked before the first write, which is what makes the batch all-or-nothing.
      const batch = validateLogBatch({
        metrics: input.metrics ?? [],
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
      await logBatchInSql(database, input.runId, batch);
    },

    async deleteTag(runId, key) {
      await findActiveRun(runId);
      const result = await db
        .deleteFrom('tags')
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw doesNotExist(`No tag with name: ${key} in run with id ${runId}`, { field: 'key' });
      }
    },

    async getMetricHistory(input: GetMetricHistoryInput) {
      await findRunRow(input.runId);
      return metricHistoryPageInSql(database, input);
    },

    async getMetricHistoryBulkInterval(input) {
      await open();
      return sampleMetricHistoryBulkInterval(createSqlMetricSampleReader(database), input);
    },

    async getMetricHistoryDownsampled(input) {
      await open();
      return downsampleMetricHistory(createSqlMetricDownsampleReader(database), input);
    },

    async logInputs(input) {
      const run = await findActiveRun(input.runId);
      await writeTransaction(database, async (transaction) => {
        await lockRun(database, transaction, input.runId);
        await logInputsInSql(transaction, Number(run.experiment_id), input);
      });
    },

    async logOutputs(input) {
      await findActiveRun(input.runId);
      await writeTransaction(database, async (transaction) => {
        await lockRun(database, transaction, input.runId);
        await logOutputsInSql(transaction, input);
      });
    },

    async searchDatasets(input) {
      await open();
      return searchDatasetsInSql(database, input);
    },

    ...loggedModels,

    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => undefined);
      await database.close();
    },
  };
  return withCairnErrors(store, database.displayUri);
}
