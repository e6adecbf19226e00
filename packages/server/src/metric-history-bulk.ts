import { CairnError, invalidParameter, limits, type MetricWithRunId, type TrackingStore } from '@cairn/core';

/** What the MLflow UI's get-history-bulk asks for. */
export interface MetricHistoryBulkQuery {
  /** The query string's repeated `run_id` keys. */
  runIds: readonly string[];
  /** Undefined when the request has no `metric_key`. */
  metricKey: string | undefined;
  /** At most this many points in all; larger values mean 25,000, as in MLflow. */
  maxResults?: number;
}

/** True for the answer of a store that has no such run (or, in the file store, no run with such an id). */
export function isUnknownRun(error: unknown): boolean {
  return (
    CairnError.isInstance(error) &&
    (error.code === 'RESOURCE_DOES_NOT_EXIST' ||
      (error.code === 'INVALID_PARAMETER_VALUE' && error.details?.field === 'run_id'))
  );
}

/**
 * Whole histories of one metric for up to 100 runs, as MLflow's SQL store answers get-history-bulk: run by
 * run in lexicographic order of run id, each ordered by (timestamp, step, value), at most `maxResults`
 * (default and cap 25,000) points in all; unknown runs add nothing. Reads the store page by page and stops
 * at the limit, so no more than the answer is ever held.
 */
export async function getMetricHistoryBulk(
  store: TrackingStore,
  query: MetricHistoryBulkQuery,
): Promise<MetricWithRunId[]> {
  const maxRuns = limits.metricHistoryBulkMaxRunIds;
  if (query.runIds.length === 0) {
    throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.', {
      field: 'run_id',
    });
  }
  if (query.runIds.length > maxRuns) {
    throw invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than ${maxRuns} run_ids. Received ${query.runIds.length} run_ids.`,
      { field: 'run_id', limit: maxRuns },
    );
  }
  const metricKey = query.metricKey;
  if (metricKey === undefined) {
    throw invalidParameter('GetMetricHistoryBulk request must specify a metric_key.', {
      field: 'metric_key',
    });
  }
  const asked = query.maxResults ?? limits.metricHistoryPageSize;
  if (asked < 0) {
    throw invalidParameter(`max_results must be a non-negative integer, got ${asked}.`, {
      field: 'max_results',
    });
  }
  const limit = Math.min(asked, limits.metricHistoryPageSize);
  const metrics: MetricWithRunId[] = [];
  for (const runId of [...new Set(query.runIds)].sort()) {
    let pageToken: string | undefined;
    while (metrics.length < limit) {
      const page = await store
        .getMetricHistory({
          runId,
          metricKey,
          maxResults: limit - metrics.length,
          ...(pageToken === undefined ? {} : { pageToken }),
        })
        .catch((error: unknown) => {
          if (isUnknownRun(error)) return { items: [], nextPageToken: undefined };
          throw error;
        });
      for (const point of page.items) {
        metrics.push({
          key: point.key,
          value: point.value,
          timestamp: point.timestamp,
          step: point.step,
          run_id: runId,
        });
      }
      pageToken = page.nextPageToken;
      if (pageToken === undefined) break;
    }
  }
  return metrics;
}
