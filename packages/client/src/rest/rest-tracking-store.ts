import {
  CairnError,
  type DatasetSummary,
  type DeletedRun,
  type Experiment,
  invalidParameter,
  type Metric,
  type MetricWithRunId,
  type Page,
  type Run,
  type RunInfo,
  type TrackingStore,
} from '@cairn/core';
import { restLoggedModelMethods } from './rest-logged-models.js';
import { createRestTransport, type RestTransport, type RestTransportOptions } from './rest-transport.js';

const api = '/api/2.0/mlflow';

/** Protobuf JSON writes NaN and infinities as strings (and, from some servers, numbers as strings). */
function wireNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

type WireMetric = Omit<Metric, 'value' | 'timestamp' | 'step'> & {
  value: unknown;
  timestamp: unknown;
  step?: unknown;
};

function fromWireMetric(metric: WireMetric): Metric {
  return {
    ...metric,
    value: wireNumber(metric.value),
    timestamp: wireNumber(metric.timestamp),
    step: metric.step === undefined ? 0 : wireNumber(metric.step),
  };
}

type WireRun = Omit<Run, 'data' | 'inputs'> & {
  data?: { metrics?: WireMetric[]; params?: Run['data']['params']; tags?: Run['data']['tags'] };
  inputs?: Partial<Run['inputs']>;
};

/** Fills the lists protobuf JSON may omit when empty and reads back non-finite metric values. */
function fromWireRun(run: WireRun): Run {
  const result: Run = {
    info: run.info,
    data: {
      metrics: (run.data?.metrics ?? []).map(fromWireMetric),
      params: run.data?.params ?? [],
      tags: run.data?.tags ?? [],
    },
    inputs: {
      dataset_inputs: (run.inputs?.dataset_inputs ?? []).map((input) => ({
        ...input,
        tags: input.tags ?? [],
      })),
      ...(run.inputs?.model_inputs ? { model_inputs: run.inputs.model_inputs } : {}),
    },
  };
  if (run.outputs) result.outputs = { model_outputs: run.outputs.model_outputs ?? [] };
  return result;
}

const fromWireExperiment = (experiment: Experiment): Experiment => ({
  ...experiment,
  tags: experiment.tags ?? [],
});

const page = <T>(items: T[], token: unknown): Page<T> =>
  typeof token === 'string' && token !== '' ? { items, nextPageToken: token } : { items };

/** Options of {@link createRestTrackingStore}. */
export type RestTrackingStoreOptions = RestTransportOptions;

/**
 * A TrackingStore over an MLflow-compatible tracking server's REST API (a Cairn server or MLflow's own),
 * with MLflow's retries, timeouts and authentication.
 */
export function createRestTrackingStore(
  options: RestTrackingStoreOptions | { transport: RestTransport },
): TrackingStore {
  const transport = 'transport' in options ? options.transport : createRestTransport(options);
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body: Record<string, unknown> = {},
  ) => (await transport.json(method, `${api}${path}`, body)) as T;
  const post = async (path: string, body: Record<string, unknown>) => {
    await call('POST', path, body);
  };

  return {
    specificationVersion: 'v1',
    // What the server's own store guarantees is not visible over REST; these are what REST itself gives.
    capabilities: {
      atomicBatches: false,
      concurrentWriters: true,
      searchPushdown: true,
      purgeExperiments: false,
    },

    createExperiment: async (input) =>
      (
        await call<{ experiment_id: string }>('POST', '/experiments/create', {
          name: input.name,
          artifact_location: input.artifactLocation,
          tags: input.tags,
        })
      ).experiment_id,
    getExperiment: async (experimentId) =>
      fromWireExperiment(
        (await call<{ experiment: Experiment }>('GET', '/experiments/get', { experiment_id: experimentId }))
          .experiment,
      ),
    getExperimentByName: async (name) => {
      try {
        const response = await call<{ experiment: Experiment }>('GET', '/experiments/get-by-name', {
          experiment_name: name,
        });
        return fromWireExperiment(response.experiment);
      } catch (error) {
        if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw error;
      }
    },
    searchExperiments: async (input) => {
      const response = await call<{ experiments?: Experiment[]; next_page_token?: string }>(
        'POST',
        '/experiments/search',
        {
          max_results: input.maxResults,
          page_token: input.pageToken,
          filter: input.filter,
          order_by: input.orderBy,
          view_type: input.viewType,
        },
      );
      return page((response.experiments ?? []).map(fromWireExperiment), response.next_page_token);
    },
    renameExperiment: (experimentId, newName) =>
      post('/experiments/update', { experiment_id: experimentId, new_name: newName }),
    deleteExperiment: (experimentId) => post('/experiments/delete', { experiment_id: experimentId }),
    restoreExperiment: (experimentId) => post('/experiments/restore', { experiment_id: experimentId }),
    setExperimentTag: (experimentId, tag) =>
      post('/experiments/set-experiment-tag', {
        experiment_id: experimentId,
        key: tag.key,
        value: tag.value,
      }),
    deleteExperimentTag: (experimentId, key) =>
      post('/experiments/delete-experiment-tag', { experiment_id: experimentId, key }),

    createRun: async (input) =>
      fromWireRun(
        (
          await call<{ run: WireRun }>('POST', '/runs/create', {
            experiment_id: input.experimentId,
            run_name: input.runName,
            start_time: input.startTime,
            user_id: input.userId,
            tags: input.tags,
          })
        ).run,
      ),
    getRun: async (runId) =>
      fromWireRun((await call<{ run: WireRun }>('GET', '/runs/get', { run_id: runId, run_uuid: runId })).run),
    updateRun: async (input) =>
      (
        await call<{ run_info: RunInfo }>('POST', '/runs/update', {
          run_id: input.runId,
          run_uuid: input.runId,
          status: input.status,
          end_time: input.endTime,
          run_name: input.runName,
        })
      ).run_info,
    deleteRun: (runId) => post('/runs/delete', { run_id: runId }),
    restoreRun: (runId) => post('/runs/restore', { run_id: runId }),
    purgeExperiment: async (experimentId) => {
      throw new CairnError(
        'NOT_IMPLEMENTED',
        `purgeExperiment(${experimentId}) is not available over REST (MLflow's REST API has no such endpoint); run 'cairn gc --backend-store-uri <the server's backend store URI>' against the database or mlruns directory itself`,
      );
    },
    listDeletedRuns: async (input = {}) => {
      try {
        const response = (await transport.json('POST', '/api/2.0/cairn/runs/list-deleted', {
          experiment_ids: input.experimentIds,
        })) as { runs?: { info: RunInfo; deleted_time?: number | string }[] };
        return (response.runs ?? []).map((run) =>
          run.deleted_time === undefined
            ? { info: run.info }
            : { info: run.info, deletedTime: Number(run.deleted_time) },
        );
      } catch (error) {
        if (!CairnError.isInstance(error) || error.code !== 'ENDPOINT_NOT_FOUND') throw error;
      }
      // An MLflow server: the deleted runs are found by search, but their deletion time is not on the wire.
      const experimentIds = input.experimentIds ?? [];
      if (input.experimentIds === undefined) {
        let token: string | undefined;
        do {
          const response = await call<{ experiments?: Experiment[]; next_page_token?: string }>(
            'POST',
            '/experiments/search',
            { view_type: 'ALL', max_results: 1000, page_token: token },
          );
          experimentIds.push(...(response.experiments ?? []).map((experiment) => experiment.experiment_id));
          token = response.next_page_token || undefined;
        } while (token !== undefined);
      }
      const found: DeletedRun[] = [];
      // MLflow caps experiment_ids per search at 100.
      for (let start = 0; start < experimentIds.length; start += 100) {
        let token: string | undefined;
        do {
          const response = await call<{ runs?: WireRun[]; next_page_token?: string }>(
            'POST',
            '/runs/search',
            {
              experiment_ids: experimentIds.slice(start, start + 100),
              run_view_type: 'DELETED_ONLY',
              max_results: 1000,
              page_token: token,
            },
          );
          found.push(...(response.runs ?? []).map((run) => ({ info: fromWireRun(run).info })));
          token = response.next_page_token || undefined;
        } while (token !== undefined);
      }
      return found;
    },
    purgeRun: async (runId) => {
      try {
        await transport.json('POST', '/api/2.0/cairn/runs/purge', { run_id: runId });
      } catch (error) {
        if (CairnError.isInstance(error) && error.code === 'ENDPOINT_NOT_FOUND') {
          throw new CairnError(
            'NOT_IMPLEMENTED',
            `The server at ${transport.baseUrl} cannot purge runs over REST (MLflow purges with 'mlflow gc' against its database)`,
            { cause: error },
          );
        }
        throw error;
      }
    },
    searchRuns: async (input) => {
      const response = await call<{ runs?: WireRun[]; next_page_token?: string }>('POST', '/runs/search', {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        run_view_type: input.runViewType,
        max_results: input.maxResults,
        order_by: input.orderBy,
        page_token: input.pageToken,
      });
      return page((response.runs ?? []).map(fromWireRun), response.next_page_token);
    },
    logBatch: async (input) => {
      // On the wire "1" and 1 look alike to protobuf, so a caller's wrong type is caught before sending.
      for (const metric of input.metrics ?? []) {
        for (const field of ['value', 'timestamp', 'step'] as const) {
          if (typeof metric[field] !== 'number') {
            throw invalidParameter(
              `Invalid metric '${metric.key}': '${field}' must be a number, got ${typeof metric[field]}`,
              { field: `metrics.${field}` },
            );
          }
        }
      }
      await post('/runs/log-batch', {
        run_id: input.runId,
        metrics: input.metrics ?? [],
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
    },
    deleteTag: (runId, key) => post('/runs/delete-tag', { run_id: runId, run_uuid: runId, key }),
    getMetricHistory: async (input) => {
      const response = await call<{ metrics?: WireMetric[]; next_page_token?: string }>(
        'GET',
        '/metrics/get-history',
        {
          run_id: input.runId,
          run_uuid: input.runId,
          metric_key: input.metricKey,
          max_results: input.maxResults,
          page_token: input.pageToken,
        },
      );
      return page((response.metrics ?? []).map(fromWireMetric), response.next_page_token);
    },
    getMetricHistoryBulkInterval: async (input) => {
      // The server samples (in its database); one request, whatever the histories' length.
      const response = await call<{ metrics?: (WireMetric & { run_id: string })[] }>(
        'GET',
        '/metrics/get-history-bulk-interval',
        {
          run_ids: input.runIds,
          metric_key: input.metricKey,
          start_step: input.startStep,
          end_step: input.endStep,
          max_results: input.maxResults,
        },
      );
      return (response.metrics ?? []).map((wire): MetricWithRunId => {
        const { key, value, timestamp, step } = fromWireMetric(wire);
        return { key, value, timestamp, step, run_id: wire.run_id };
      });
    },
    getMetricHistoryDownsampled: async (input) => {
      // Cairn's own RPC: a Cairn server downsamples in its database; MLflow's server answers 404.
      const response = await call<{ metrics?: (WireMetric & { run_id: string })[] }>(
        'GET',
        '/metrics/get-history-downsampled',
        {
          run_ids: input.runIds,
          metric_key: input.metricKey,
          start_step: input.startStep,
          end_step: input.endStep,
          buckets: input.buckets,
        },
      );
      return (response.metrics ?? []).map((wire): MetricWithRunId => {
        const { key, value, timestamp, step } = fromWireMetric(wire);
        return { key, value, timestamp, step, run_id: wire.run_id };
      });
    },
    logInputs: (input) =>
      post('/runs/log-inputs', {
        run_id: input.runId,
        datasets: input.datasets ?? [],
        models: input.models ?? [],
      }),
    logOutputs: (input) => post('/runs/outputs', { run_id: input.runId, models: input.models }),
    searchDatasets: async (input) =>
      (
        await call<{ dataset_summaries?: DatasetSummary[] }>('POST', '/experiments/search-datasets', {
          experiment_ids: input.experimentIds,
        })
      ).dataset_summaries ?? [],
    ...restLoggedModelMethods(call, fromWireMetric),
    close: async () => {},
  };
}
