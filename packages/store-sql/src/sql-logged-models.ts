import {
  type CreateLoggedModelInput,
  type FinalizeLoggedModelInput,
  type GetLoggedModelOptions,
  type LoggedModel,
  type LoggedModelParameter,
  type LoggedModelStore,
  type LoggedModelTag,
  latestLoggedModelMetrics,
  loggedModelNotFound,
  loggedModelStatusCode,
  loggedModelStatusFromCode,
  loggedModelTagNotFound,
  type Metric,
  newLoggedModel,
  type Page,
  type SearchLoggedModelsInput,
  searchLoggedModelsInMemory,
  validateLoggedModelParams,
  validateLoggedModelStatus,
  validateLoggedModelTags,
} from '@cairn/core';
import type { Kysely, Selectable } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import type { SqlDatabase } from './open-sql-database.js';
import type { LoggedModelsTable } from './sql-logged-model-tables.js';
import { experimentFromRow } from './sql-rows.js';
import { type SqlTransaction, writeTransaction } from './sql-transaction.js';
import { experimentIdNumber, metricValueFromRow, storedMetricValue, toNumber } from './sql-values.js';

/** What the logged-model operations need from the store. */
export interface SqlLoggedModelContext {
  database: SqlDatabase;
  /** Resolves once the schema is ready; rejects when the store is closed. */
  open(): Promise<void>;
  /** The experiment row by id, or RESOURCE_DOES_NOT_EXIST. */
  findExperimentRow(experimentId: string): Promise<Selectable<MlflowDatabase['experiments']>>;
}

/** Bound on the ids in one `IN (...)` list (SQLite allows 32766 parameters; stay far below). */
const idChunk = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += idChunk)
    result.push(items.slice(start, start + idChunk));
  return result;
}

/** Builds entities from model rows, reading their tags, params and metrics in a few bulk queries. */
async function loadLoggedModels(
  db: Kysely<MlflowDatabase>,
  rows: readonly Selectable<LoggedModelsTable>[],
): Promise<LoggedModel[]> {
  const ids = rows.map((row) => row.model_id);
  const tags = new Map<string, LoggedModelTag[]>();
  const params = new Map<string, LoggedModelParameter[]>();
  const points = new Map<string, Metric[]>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key) ?? [];
    list.push(value);
    map.set(key, list);
  };
  for (const batch of chunks(ids)) {
    const [tagRows, paramRows, metricRows] = await Promise.all([
      db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', batch).execute(),
      db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', batch).execute(),
      db.selectFrom('logged_model_metrics').selectAll().where('model_id', 'in', batch).execute(),
    ]);
    for (const row of tagRows) push(tags, row.model_id, { key: row.tag_key, value: row.tag_value });
    for (const row of paramRows) push(params, row.model_id, { key: row.param_key, value: row.param_value });
    for (const row of metricRows) {
      const metric: Metric = {
        key: row.metric_name,
        value: row.metric_value === null ? Number.NaN : metricValueFromRow(row.metric_value, false),
        timestamp: toNumber(row.metric_timestamp_ms),
        step: toNumber(row.metric_step),
        model_id: row.model_id,
        run_id: row.run_id,
      };
      if (row.dataset_name !== null) metric.dataset_name = row.dataset_name;
      if (row.dataset_digest !== null) metric.dataset_digest = row.dataset_digest;
      push(points, row.model_id, metric);
    }
  }
  return rows.map((row) => {
    const info: LoggedModel['info'] = {
      model_id: row.model_id,
      experiment_id: String(row.experiment_id),
      name: row.name,
      creation_timestamp_ms: toNumber(row.creation_timestamp_ms),
      last_updated_timestamp_ms: toNumber(row.last_updated_timestamp_ms),
      artifact_uri: row.artifact_location,
      status: loggedModelStatusFromCode(toNumber(row.status)),
      tags: tags.get(row.model_id) ?? [],
    };
    if (row.model_type !== null) info.model_type = row.model_type;
    if (row.source_run_id !== null) info.source_run_id = row.source_run_id;
    if (row.status_message !== null) info.status_message = row.status_message;
    return {
      info,
      data: {
        params: params.get(row.model_id) ?? [],
        metrics: latestLoggedModelMetrics(points.get(row.model_id) ?? []),
      },
    };
  });
}

/** Inserts or overwrites key/value rows of one model (MLflow's tag upsert; params are overwritten the same way). */
async function upsertKeyValues(
  transaction: SqlTransaction,
  table: 'logged_model_tags' | 'logged_model_params',
  row: Selectable<LoggedModelsTable>,
  entries: readonly { key: string; value: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  const keyColumn = table === 'logged_model_tags' ? 'tag_key' : 'param_key';
  const keys = entries.map((entry) => entry.key);
  for (const batch of chunks(keys)) {
    await transaction
      .deleteFrom(table)
      .where('model_id', '=', row.model_id)
      .where(keyColumn, 'in', batch)
      .execute();
  }
  for (const batch of chunks(entries)) {
    if (table === 'logged_model_tags') {
      await transaction
        .insertInto('logged_model_tags')
        .values(
          batch.map((entry) => ({
            model_id: row.model_id,
            experiment_id: row.experiment_id,
            tag_key: entry.key,
            tag_value: entry.value,
          })),
        )
        .execute();
    } else {
      await transaction
        .insertInto('logged_model_params')
        .values(
          batch.map((entry) => ({
            model_id: row.model_id,
            experiment_id: row.experiment_id,
            param_key: entry.key,
            param_value: entry.value,
          })),
        )
        .execute();
    }
  }
}

/**
 * Records the metrics of a batch that carry the `model_id` of a known logged model in
 * `logged_model_metrics`, with the run that logged them; a point already stored is skipped, and a
 * `model_id` of no known model is left on the run only.
 */
export async function writeLoggedModelMetrics(
  transaction: SqlTransaction,
  runId: string,
  metrics: readonly Metric[],
): Promise<void> {
  const withModel = metrics.filter((metric) => metric.model_id !== undefined);
  if (withModel.length === 0) return;
  const modelIds = [...new Set(withModel.map((metric) => metric.model_id as string))];
  const known = new Set(
    (
      await transaction
        .selectFrom('logged_models')
        .select('model_id')
        .where('model_id', 'in', modelIds)
        .execute()
    ).map((row) => row.model_id),
  );
  if (known.size === 0) return;
  const run = await transaction
    .selectFrom('runs')
    .select('experiment_id')
    .where('run_uuid', '=', runId)
    .executeTakeFirst();
  if (run === undefined) return;
  const existing = await transaction
    .selectFrom('logged_model_metrics')
    .select(['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step'])
    .where('run_id', '=', runId)
    .where('model_id', 'in', [...known])
    .execute();
  const identity = (modelId: string, key: string, timestamp: number, step: number) =>
    JSON.stringify([modelId, key, timestamp, step]);
  const seen = new Set(
    existing.map((row) =>
      identity(row.model_id, row.metric_name, toNumber(row.metric_timestamp_ms), toNumber(row.metric_step)),
    ),
  );
  const rows = [];
  for (const metric of withModel) {
    const modelId = metric.model_id as string;
    if (!known.has(modelId)) continue;
    // The primary key has no value column, so of two points at one (timestamp, step) the first stays.
    const key = identity(modelId, metric.key, metric.timestamp, metric.step);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      model_id: modelId,
      metric_name: metric.key,
      metric_timestamp_ms: metric.timestamp,
      metric_step: metric.step,
      metric_value: storedMetricValue(metric.value).value,
      experiment_id: run.experiment_id,
      run_id: runId,
      dataset_uuid: null,
      dataset_name: metric.dataset_name ?? null,
      dataset_digest: metric.dataset_digest ?? null,
    });
  }
  for (const batch of chunks(rows))
    await transaction.insertInto('logged_model_metrics').values(batch).execute();
}

/** MLflow 3 logged models over MLflow's own `logged_models*` tables. */
export function createSqlLoggedModelOperations(context: SqlLoggedModelContext): LoggedModelStore {
  const { database, open } = context;
  const { db } = database;

  const findRow = async (
    executor: Kysely<MlflowDatabase>,
    modelId: string,
    allowDeleted = false,
  ): Promise<Selectable<LoggedModelsTable>> => {
    const row = await executor
      .selectFrom('logged_models')
      .selectAll()
      .where('model_id', '=', modelId)
      .executeTakeFirst();
    if (row === undefined || (row.lifecycle_stage === 'deleted' && !allowDeleted))
      throw loggedModelNotFound(modelId);
    return row;
  };
  const read = async (modelId: string, allowDeleted = false) => {
    const [model] = await loadLoggedModels(db, [await findRow(db, modelId, allowDeleted)]);
    return model as LoggedModel;
  };

  return {
    async createLoggedModel(input: CreateLoggedModelInput) {
      const experimentRow = await context.findExperimentRow(input.experimentId);
      const model = newLoggedModel(input, experimentFromRow(experimentRow, []));
      const row: Selectable<LoggedModelsTable> = {
        model_id: model.info.model_id,
        experiment_id: Number(experimentRow.experiment_id),
        name: model.info.name,
        artifact_location: model.info.artifact_uri,
        creation_timestamp_ms: model.info.creation_timestamp_ms,
        last_updated_timestamp_ms: model.info.last_updated_timestamp_ms,
        status: loggedModelStatusCode(model.info.status),
        lifecycle_stage: 'active',
        model_type: model.info.model_type ?? null,
        source_run_id: model.info.source_run_id ?? null,
        status_message: null,
      };
      await writeTransaction(database, async (transaction) => {
        await transaction.insertInto('logged_models').values(row).execute();
        await upsertKeyValues(transaction, 'logged_model_params', row, model.data.params);
        await upsertKeyValues(transaction, 'logged_model_tags', row, model.info.tags);
      });
      return model;
    },

    async getLoggedModel(modelId: string, options: GetLoggedModelOptions = {}) {
      await open();
      return read(modelId, options.allowDeleted);
    },

    async finalizeLoggedModel(input: FinalizeLoggedModelInput) {
      const status = validateLoggedModelStatus(input.status);
      await open();
      await writeTransaction(database, async (transaction) => {
        const row = await findRow(transaction, input.modelId);
        await transaction
          .updateTable('logged_models')
          .set({
            status: loggedModelStatusCode(status),
            last_updated_timestamp_ms: Math.max(Date.now(), toNumber(row.creation_timestamp_ms)),
          })
          .where('model_id', '=', input.modelId)
          .execute();
      });
      return read(input.modelId);
    },

    async deleteLoggedModel(modelId: string) {
      await open();
      await writeTransaction(database, async (transaction) => {
        const row = await findRow(transaction, modelId);
        await transaction
          .updateTable('logged_models')
          .set({
            lifecycle_stage: 'deleted',
            last_updated_timestamp_ms: Math.max(Date.now(), toNumber(row.creation_timestamp_ms)),
          })
          .where('model_id', '=', modelId)
          .execute();
      });
    },

    async searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
      await open();
      const experimentIds = input.experimentIds
        .map(experimentIdNumber)
        .filter((id): id is number => id !== undefined);
      // Filters and ordering are evaluated in memory over the experiments' active models (MLflow keeps a
      // handful per run), sharing core's grammar; an invalid request fails the same way on an empty store.
      const rows =
        experimentIds.length === 0
          ? []
          : await db
              .selectFrom('logged_models')
              .selectAll()
              .where('experiment_id', 'in', experimentIds)
              .where((where) =>
                where.or([where('lifecycle_stage', '!=', 'deleted'), where('lifecycle_stage', 'is', null)]),
              )
              .execute();
      return searchLoggedModelsInMemory(await loadLoggedModels(db, rows), input);
    },

    async setLoggedModelTags(modelId: string, tags: LoggedModelTag[]) {
      const valid = validateLoggedModelTags(tags);
      await open();
      await writeTransaction(database, async (transaction) => {
        const row = await findRow(transaction, modelId);
        await upsertKeyValues(transaction, 'logged_model_tags', row, valid);
      });
    },

    async deleteLoggedModelTag(modelId: string, key: string) {
      await open();
      await writeTransaction(database, async (transaction) => {
        await findRow(transaction, modelId);
        const result = await transaction
          .deleteFrom('logged_model_tags')
          .where('model_id', '=', modelId)
          .where('tag_key', '=', key)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) throw loggedModelTagNotFound(modelId, key);
      });
    },

    async logLoggedModelParams(modelId: string, params: LoggedModelParameter[]) {
      const valid = validateLoggedModelParams(params);
      await open();
      await writeTransaction(database, async (transaction) => {
        const row = await findRow(transaction, modelId);
        await upsertKeyValues(transaction, 'logged_model_params', row, valid);
      });
    },
  };
}
