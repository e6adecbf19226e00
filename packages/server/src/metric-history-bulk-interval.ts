import { invalidParameter, type Metric, type TrackingStore } from '@cairn/core';

/** Every point of one metric, following the store's pages. */
export async function fullHistory(store: TrackingStore, runId: string, metricKey: string): Promise<Metric[]> {
  const points: Metric[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.getMetricHistory({ runId, metricKey, ...(pageToken ? { pageToken } : {}) });
    points.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return points;
}

/** MLflow's limits for get-history-bulk-interval (MAX_RUNS_GET_METRIC_HISTORY_BULK, MAX_RESULTS_PER_RUN). */
const bulkIntervalMaxRuns = 100;
const bulkIntervalMaxResults = 2500;

/** What get-history-bulk-interval asks for (the REST RPC and GraphQL's `mlflowGetMetricHistoryBulkInterval`). */
export interface MetricHistoryBulkIntervalQuery {
  runIds: readonly string[];
  metricKey: string;
  startStep?: number;
  endStep?: number;
  maxResults?: number;
}

/** One sampled point, with the run it belongs to (MLflow's `MetricWithRunId`). */
export interface MetricWithRunId {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id: string;
}

/**
 * Picks at most `maxResults` steps spread evenly over the sorted distinct steps, always keeping the first
 * and the last, so a chart of a long run keeps its shape (what MLflow's UI asks the endpoint for).
 */
export function sampleSteps(steps: readonly number[], maxResults: number): Set<number> {
  if (steps.length <= maxResults) return new Set(steps);
  if (maxResults === 1) return new Set(steps.slice(0, 1));
  const picked = new Set<number>();
  const stride = (steps.length - 1) / (maxResults - 1);
  for (let i = 0; i < maxResults; i += 1) picked.add(steps[Math.round(i * stride)] as number);
  return picked;
}

/** Sampled history of one metric across up to 100 runs, validated as MLflow's handler validates it. */
export async function getMetricHistoryBulkInterval(
  store: TrackingStore,
  query: MetricHistoryBulkIntervalQuery,
): Promise<MetricWithRunId[]> {
  if (query.runIds.length === 0 || query.runIds.length > bulkIntervalMaxRuns) {
    throw invalidParameter(
      `GetMetricHistoryBulkInterval request must specify between 1 and ${bulkIntervalMaxRuns} run_ids. Received ${query.runIds.length} run_ids.`,
      { field: 'run_ids', limit: bulkIntervalMaxRuns },
    );
  }
  const maxResults = query.maxResults ?? bulkIntervalMaxResults;
  if (maxResults < 1 || maxResults > bulkIntervalMaxResults) {
    throw invalidParameter(`max_results must be between 1 and ${bulkIntervalMaxResults}.`, {
      field: 'max_results',
      limit: bulkIntervalMaxResults,
    });
  }
  const { startStep: start, endStep: end } = query;
  if ((start === undefined) !== (end === undefined)) {
    throw invalidParameter('If either start step or end step are specified, both must be specified.', {
      field: 'start_step',
    });
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw invalidParameter(
      `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
      { field: 'end_step' },
    );
  }
  const inRange = (step: number) =>
    start === undefined || end === undefined || (step >= start && step <= end);
  const histories = await Promise.all(
    query.runIds.map(async (runId) => ({
      runId,
      points: (await fullHistory(store, runId, query.metricKey)).filter((point) => inRange(point.step)),
    })),
  );
  const steps = [...new Set(histories.flatMap(({ points }) => points.map((point) => point.step)))].sort(
    (a, b) => a - b,
  );
  const kept = sampleSteps(steps, maxResults);
  const metrics = histories.flatMap(({ runId, points }) =>
    points
      .filter((point) => kept.has(point.step))
      .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp)
      .map((point) => ({
        key: point.key,
        value: point.value,
        timestamp: point.timestamp,
        step: point.step,
        run_id: runId,
      })),
  );
  return metrics;
}
