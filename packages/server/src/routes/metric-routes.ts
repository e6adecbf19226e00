import type { TrackingStore } from '@cairn/core';
import { getMetricHistoryBulk } from '../metric-history-bulk.js';
import { getMetricHistoryBulkInterval } from '../metric-history-bulk-interval.js';
import { streamMetricHistory } from '../metric-history-stream.js';
import {
  getMetricHistoryBulkIntervalRequest,
  getMetricHistoryBulkRequest,
  getMetricHistoryDownsampledRequest,
  getMetricHistoryRequest,
} from '../wire/tracking-schemas.js';
import { type RouteTable, runIdOf } from './route-table.js';

/** Registers MLflow's metric-history RPCs. */
export function registerMetricRoutes(routes: RouteTable, store: TrackingStore): void {
  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/metrics/get-history',
      summary: 'Every point of one metric of a run, ordered by (timestamp, step, value)',
      request: getMetricHistoryRequest,
    },
    async (input) => {
      const runId = runIdOf(input);
      // Without paging arguments MLflow answers the whole history in one response: streamed page by page,
      // since a history of millions of points must not be built in memory or block other requests.
      if (input.max_results === undefined && !input.page_token) {
        return streamMetricHistory(store, runId, input.metric_key);
      }
      const page = await store.getMetricHistory({
        runId,
        metricKey: input.metric_key,
        ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
        ...(input.page_token ? { pageToken: input.page_token } : {}),
      });
      return { metrics: page.items, next_page_token: page.nextPageToken || undefined };
    },
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/metrics/get-history-bulk',
      summary: "Whole histories of one metric for up to 100 runs (the MLflow UI's; at most 25,000 points)",
      request: getMetricHistoryBulkRequest,
      // MLflow serves this one to its UI only.
      prefixes: ['/ajax-api/2.0'],
    },
    async (input) => ({
      metrics: await getMetricHistoryBulk(store, {
        runIds: input.run_id ?? [],
        metricKey: input.metric_key,
        ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
      }),
    }),
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/metrics/get-history-bulk-interval',
      summary: 'Sampled history of one metric across up to 100 runs',
      request: getMetricHistoryBulkIntervalRequest,
    },
    async (input) => ({
      metrics: await getMetricHistoryBulkInterval(store, {
        runIds: input.run_ids,
        metricKey: input.metric_key,
        ...(input.start_step !== undefined ? { startStep: input.start_step } : {}),
        ...(input.end_step !== undefined ? { endStep: input.end_step } : {}),
        ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
      }),
    }),
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/metrics/get-history-downsampled',
      summary:
        "Cairn's: one metric of up to 100 runs for a chart, each run's lowest and highest point per step bucket (at most 2 x buckets points per run)",
      request: getMetricHistoryDownsampledRequest,
    },
    async (input) => ({
      metrics: await store.getMetricHistoryDownsampled({
        runIds: input.run_ids,
        metricKey: input.metric_key,
        ...(input.start_step !== undefined ? { startStep: input.start_step } : {}),
        ...(input.end_step !== undefined ? { endStep: input.end_step } : {}),
        ...(input.buckets !== undefined ? { buckets: input.buckets } : {}),
      }),
    }),
  );
}
