import { invalidParameter, type Metric, type TrackingStore } from '@cairn/core';
import {
  createRunRequest,
  deleteTagRequest,
  listDeletedRunsRequest,
  logBatchRequest,
  logInputsRequest,
  logMetricRequest,
  logModelRequest,
  logOutputsRequest,
  logParamRequest,
  runIdRequest,
  searchRunsRequest,
  setTagRequest,
  updateRunRequest,
} from '@cairn/core/wire';
import { appendLogModelHistory } from './log-model-history.js';
import { type RouteTable, runIdOf } from './route-table.js';

/** MLflow refuses a log-batch request body larger than this (MAX_BATCH_LOG_REQUEST_SIZE). */
export const logBatchBodyLimit = 1_000_000;

/** Drops undefined optional metric fields so stores see MLflow's shape. */
function toMetric(input: {
  key: string;
  value: number;
  timestamp: number;
  step?: number | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
  model_id?: string | undefined;
}): Metric {
  const metric: Metric = {
    key: input.key,
    value: input.value,
    timestamp: input.timestamp,
    step: input.step ?? 0,
  };
  if (input.dataset_name) metric.dataset_name = input.dataset_name;
  if (input.dataset_digest) metric.dataset_digest = input.dataset_digest;
  if (input.model_id) metric.model_id = input.model_id;
  return metric;
}

const modelJsonRequiredFields = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;

/** Registers MLflow's run RPCs (`/mlflow/runs/*`). */
export function registerRunRoutes(routes: RouteTable, store: TrackingStore): void {
  routes.rpc(
    { methods: ['POST'], path: '/mlflow/runs/create', summary: 'Create a run', request: createRunRequest },
    async (input) => ({
      run: await store.createRun({
        experimentId: input.experiment_id || '0',
        ...(input.run_name ? { runName: input.run_name } : {}),
        ...(input.start_time !== undefined ? { startTime: input.start_time } : {}),
        ...(input.user_id ? { userId: input.user_id } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
      }),
    }),
  );

  routes.rpc(
    { methods: ['GET'], path: '/mlflow/runs/get', summary: 'Get a run', request: runIdRequest },
    async (input) => ({ run: await store.getRun(runIdOf(input)) }),
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/update',
      summary: "Update a run's status, end time or name",
      request: updateRunRequest,
    },
    async (input) => ({
      run_info: await store.updateRun({
        runId: runIdOf(input),
        ...(input.status ? { status: input.status } : {}),
        ...(input.end_time !== undefined ? { endTime: input.end_time } : {}),
        ...(input.run_name ? { runName: input.run_name } : {}),
      }),
    }),
  );

  routes.rpc(
    { methods: ['POST'], path: '/mlflow/runs/delete', summary: 'Soft-delete a run', request: runIdRequest },
    async (input) => {
      await store.deleteRun(runIdOf(input));
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/restore',
      summary: 'Restore a deleted run',
      request: runIdRequest,
    },
    async (input) => {
      await store.restoreRun(runIdOf(input));
      return {};
    },
  );

  // Cairn's own: MLflow purges with `mlflow gc` against its database, so it has no REST endpoint for it.
  routes.rpc(
    {
      methods: ['POST'],
      path: '/cairn/runs/purge',
      summary: 'Remove a soft-deleted run for good (Cairn extension; what `mlflow gc` does)',
      request: runIdRequest,
    },
    async (input) => {
      await store.purgeRun(runIdOf(input));
      return {};
    },
  );

  // Cairn's own as well: `cairn gc` ages deleted runs by their deletion time, which MLflow's RunInfo omits.
  routes.rpc(
    {
      methods: ['POST'],
      path: '/cairn/runs/list-deleted',
      summary: 'List soft-deleted runs with their deletion time (Cairn extension; what `cairn gc` reads)',
      request: listDeletedRunsRequest,
    },
    async (input) => ({
      runs: (
        await store.listDeletedRuns(input.experiment_ids ? { experimentIds: input.experiment_ids } : {})
      ).map((run) =>
        run.deletedTime === undefined
          ? { info: run.info }
          : { info: run.info, deleted_time: run.deletedTime },
      ),
    }),
  );

  routes.rpc(
    { methods: ['POST'], path: '/mlflow/runs/search', summary: 'Search runs', request: searchRunsRequest },
    async (input) => {
      const page = await store.searchRuns({
        experimentIds: input.experiment_ids ?? [],
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.order_by ? { orderBy: input.order_by } : {}),
        ...(input.run_view_type ? { runViewType: input.run_view_type } : {}),
        ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
        ...(input.page_token ? { pageToken: input.page_token } : {}),
      });
      return { runs: page.items, next_page_token: page.nextPageToken || undefined };
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/log-metric',
      summary: 'Log a metric point',
      request: logMetricRequest,
    },
    async (input) => {
      await store.logBatch({ runId: runIdOf(input), metrics: [toMetric(input)] });
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/log-parameter',
      summary: 'Log a param',
      request: logParamRequest,
    },
    async (input) => {
      await store.logBatch({ runId: runIdOf(input), params: [{ key: input.key, value: input.value ?? '' }] });
      return {};
    },
  );

  routes.rpc(
    { methods: ['POST'], path: '/mlflow/runs/set-tag', summary: 'Set a run tag', request: setTagRequest },
    async (input) => {
      await store.logBatch({ runId: runIdOf(input), tags: [{ key: input.key, value: input.value ?? '' }] });
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/delete-tag',
      summary: 'Delete a run tag',
      request: deleteTagRequest,
    },
    async (input) => {
      await store.deleteTag(runIdOf(input), input.key);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/log-batch',
      summary: 'Log metrics, params and tags at once (body at most 1 MB)',
      request: logBatchRequest,
      bodyLimit: logBatchBodyLimit,
    },
    async (input) => {
      await store.logBatch({
        runId: runIdOf(input),
        metrics: (input.metrics ?? []).map(toMetric),
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/log-model',
      summary: "Append a model to the run's legacy mlflow.log-model.history tag",
      request: logModelRequest,
    },
    async (input) => {
      const runId = runIdOf(input);
      let model: unknown;
      try {
        model = JSON.parse(input.model_json);
      } catch {
        throw invalidParameter("Malformed model info: 'model_json' is not valid JSON", {
          field: 'model_json',
        });
      }
      if (typeof model !== 'object' || model === null || Array.isArray(model)) {
        throw invalidParameter("Malformed model info: 'model_json' must be a JSON object", {
          field: 'model_json',
        });
      }
      const missing = modelJsonRequiredFields.filter((field) => !(field in model));
      if (missing.length > 0) {
        throw invalidParameter(`Model json is missing mandatory fields: ${missing.join(', ')}`, {
          field: 'model_json',
        });
      }
      await appendLogModelHistory(store, runId, model);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/log-inputs',
      summary: 'Log dataset and model inputs of a run',
      request: logInputsRequest,
    },
    async (input) => {
      await store.logInputs({
        runId: runIdOf(input),
        datasets: (input.datasets ?? []).map((entry) => ({ tags: entry.tags ?? [], dataset: entry.dataset })),
        models: input.models ?? [],
      });
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/runs/outputs',
      summary: 'Log the models a run produced',
      request: logOutputsRequest,
    },
    async (input) => {
      await store.logOutputs({ runId: runIdOf(input), models: input.models });
      return {};
    },
  );
}
