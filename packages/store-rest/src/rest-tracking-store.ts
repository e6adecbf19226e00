import {
  CairnError,
  type DeletedRun,
  invalidParameter,
  type MetricWithRunId,
  type Page,
  type TrackingStore,
} from '@cairn/core';
import {
  createExperimentResponse,
  getExperimentResponse,
  getMetricHistoryBulkIntervalResponse,
  getMetricHistoryDownsampledResponse,
  getMetricHistoryResponse,
  listDeletedRunsResponse,
  runResponse,
  searchDatasetsResponse,
  searchExperimentsResponse,
  searchRunsResponse,
  updateRunResponse,
} from '@cairn/core/wire';
import { restCalls } from './rest-call.js';
import { restLoggedModelMethods } from './rest-logged-models.js';
import { createRestTransport, type RestTransport, type RestTransportOptions } from './rest-transport.js';

const api = '/api/2.0/mlflow';

const page = <T>(items: T[], token: string | undefined): Page<T> =>
  token !== undefined && token !== '' ? { items, nextPageToken: token } : { items };

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
  const { call, send } = restCalls(transport, api);
  const post = (path: string, body: Record<string, unknown>) => send('POST', path, body);
  const cairn = restCalls(transport, '/api/2.0/cairn');
  /** A bulk metric RPC's points, each with its run id. */
  const metricsWithRunIds = async (
    schema: typeof getMetricHistoryBulkIntervalResponse,
    path: string,
    query: Record<string, unknown>,
  ): Promise<MetricWithRunId[]> =>
    (await call(schema, 'GET', path, query)).metrics.map(({ key, value, timestamp, step, run_id }) => ({
      key,
      value,
      timestamp,
      step,
      run_id,
    }));

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
        await call(createExperimentResponse, 'POST', '/experiments/create', {
          name: input.name,
          artifact_location: input.artifactLocation,
          tags: input.tags,
        })
      ).experiment_id,
    getExperiment: async (experimentId) =>
      (await call(getExperimentResponse, 'GET', '/experiments/get', { experiment_id: experimentId }))
        .experiment,
    getExperimentByName: async (name) => {
      try {
        const response = await call(getExperimentResponse, 'GET', '/experiments/get-by-name', {
          experiment_name: name,
        });
        return response.experiment;
      } catch (error) {
        if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw error;
      }
    },
    searchExperiments: async (input) => {
      const response = await call(searchExperimentsResponse, 'POST', '/experiments/search', {
        max_results: input.maxResults,
        page_token: input.pageToken,
        filter: input.filter,
        order_by: input.orderBy,
        view_type: input.viewType,
      });
      return page(response.experiments, response.next_page_token);
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
      (
        await call(runResponse, 'POST', '/runs/create', {
          experiment_id: input.experimentId,
          run_name: input.runName,
          start_time: input.startTime,
          user_id: input.userId,
          tags: input.tags,
        })
      ).run,
    getRun: async (runId) =>
      (await call(runResponse, 'GET', '/runs/get', { run_id: runId, run_uuid: runId })).run,
    updateRun: async (input) =>
      (
        await call(updateRunResponse, 'POST', '/runs/update', {
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
        const response = await cairn.call(listDeletedRunsResponse, 'POST', '/runs/list-deleted', {
          experiment_ids: input.experimentIds,
        });
        return response.runs.map((run) =>
          run.deleted_time === undefined
            ? { info: run.info }
            : { info: run.info, deletedTime: run.deleted_time },
        );
      } catch (error) {
        if (!CairnError.isInstance(error) || error.code !== 'ENDPOINT_NOT_FOUND') throw error;
      }
      // An MLflow server: the deleted runs are found by search, but their deletion time is not on the wire.
      const experimentIds = input.experimentIds ?? [];
      if (input.experimentIds === undefined) {
        let token: string | undefined;
        do {
          const response = await call(searchExperimentsResponse, 'POST', '/experiments/search', {
            view_type: 'ALL',
            max_results: 1000,
            page_token: token,
          });
          experimentIds.push(...response.experiments.map((experiment) => experiment.experiment_id));
          token = response.next_page_token || undefined;
        } while (token !== undefined);
      }
      const found: DeletedRun[] = [];
      // MLflow caps experiment_ids per search at 100.
      for (let start = 0; start < experimentIds.length; start += 100) {
        let token: string | undefined;
        do {
          const response = await call(searchRunsResponse, 'POST', '/runs/search', {
            experiment_ids: experimentIds.slice(start, start + 100),
            run_view_type: 'DELETED_ONLY',
            max_results: 1000,
            page_token: token,
          });
          found.push(...response.runs.map((run) => ({ info: run.info })));
          token = response.next_page_token || undefined;
        } while (token !== undefined);
      }
      return found;
    },
    purgeRun: async (runId) => {
      try {
        await cairn.send('POST', '/runs/purge', { run_id: runId });
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
      const response = await call(searchRunsResponse, 'POST', '/runs/search', {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        run_view_type: input.runViewType,
        max_results: input.maxResults,
        order_by: input.orderBy,
        page_token: input.pageToken,
      });
      return page(response.runs, response.next_page_token);
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
      const response = await call(getMetricHistoryResponse, 'GET', '/metrics/get-history', {
        run_id: input.runId,
        run_uuid: input.runId,
        metric_key: input.metricKey,
        max_results: input.maxResults,
        page_token: input.pageToken,
      });
      return page(response.metrics, response.next_page_token);
    },
    getMetricHistoryBulkInterval: (input) =>
      // The server samples (in its database); one request, whatever the histories' length.
      metricsWithRunIds(getMetricHistoryBulkIntervalResponse, '/metrics/get-history-bulk-interval', {
        run_ids: input.runIds,
        metric_key: input.metricKey,
        start_step: input.startStep,
        end_step: input.endStep,
        max_results: input.maxResults,
      }),
    getMetricHistoryDownsampled: (input) =>
      // Cairn's own RPC: a Cairn server downsamples in its database; MLflow's server answers 404.
      metricsWithRunIds(getMetricHistoryDownsampledResponse, '/metrics/get-history-downsampled', {
        run_ids: input.runIds,
        metric_key: input.metricKey,
        start_step: input.startStep,
        end_step: input.endStep,
        buckets: input.buckets,
      }),
    logInputs: (input) =>
      post('/runs/log-inputs', {
        run_id: input.runId,
        datasets: input.datasets ?? [],
        models: input.models ?? [],
      }),
    logOutputs: (input) => post('/runs/outputs', { run_id: input.runId, models: input.models }),
    searchDatasets: async (input) =>
      (
        await call(searchDatasetsResponse, 'POST', '/experiments/search-datasets', {
          experiment_ids: input.experimentIds,
        })
      ).dataset_summaries,
    ...restLoggedModelMethods(call, send),
    close: async () => {},
  };
}
