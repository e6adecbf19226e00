import { type MetricWithRunId, type TrackingStore, validateMetricHistoryBulkInterval } from '@cairn/core';

export type { MetricWithRunId } from '@cairn/core';

/** What get-history-bulk-interval asks for (the REST RPC and GraphQL's `mlflowGetMetricHistoryBulkInterval`). */
export interface MetricHistoryBulkIntervalQuery {
  runIds: readonly string[];
  metricKey: string;
  startStep?: number;
  endStep?: number;
  maxResults?: number;
}

/**
 * Sampled history of one metric across up to 100 runs, checked as MLflow's handler checks it (here, so the
 * messages do not depend on the store) and sampled by the store, in its backend.
 */
export async function getMetricHistoryBulkInterval(
  store: TrackingStore,
  query: MetricHistoryBulkIntervalQuery,
): Promise<MetricWithRunId[]> {
  const input = {
    runIds: query.runIds,
    metricKey: query.metricKey,
    ...(query.startStep !== undefined ? { startStep: query.startStep } : {}),
    ...(query.endStep !== undefined ? { endStep: query.endStep } : {}),
    ...(query.maxResults !== undefined ? { maxResults: query.maxResults } : {}),
  };
  validateMetricHistoryBulkInterval(input);
  return store.getMetricHistoryBulkInterval(input);
}
