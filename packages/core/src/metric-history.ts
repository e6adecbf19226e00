import type { Page } from './contracts/page.js';
import type { Metric } from './entities/tracking.js';
import { invalidParameter } from './errors.js';
import { limits } from './limits.js';
import { resolveMaxResults } from './search/max-results.js';
import { decodePageToken, encodePageToken, type PageTokenQuery } from './search/page-token.js';
import {
  compareSortKeys,
  decodeSortKey,
  encodedSortKeySchema,
  encodeSortKey,
  type SortValue,
} from './search/search-sort-key.js';

const ascending = [true, true, true] as const;

function historyKey(point: Metric): SortValue[] {
  return [point.timestamp, point.step, point.value];
}

/** Orders metric points as a history is returned: by timestamp, then step, then value (NaN last). */
export function compareMetricHistory(left: Metric, right: Metric): number {
  return compareSortKeys(historyKey(left), historyKey(right), ascending);
}

/** True when two points are the same (key, timestamp, step, value), which stores keep once (NaN equals NaN). */
export function isSameMetricPoint(left: Metric, right: Metric): boolean {
  return (
    left.key === right.key &&
    left.timestamp === right.timestamp &&
    left.step === right.step &&
    Object.is(left.value === 0 ? 0 : left.value, right.value === 0 ? 0 : right.value)
  );
}

/** Paging arguments of {@link pageMetricHistory}. */
export interface MetricHistoryPageInput {
  maxResults?: number;
  pageToken?: string;
  /** What the token is bound to, typically the run id and metric key. */
  scope: string;
}

/** Where a metric-history page ends: the (timestamp, step, value) of its last point. */
export type MetricHistoryPosition = [timestamp: number, step: number, value: number];

const historyQuery = (scope: string): PageTokenQuery => ({ scope: `metric-history\u0000${scope}` });

/** The page size of a history request: MLflow's default and maximum of 25,000 points. */
export function metricHistoryPageSize(maxResults: number | undefined): number {
  return resolveMaxResults(maxResults, {
    defaultValue: limits.metricHistoryPageSize,
    max: limits.metricHistoryPageSize,
  });
}

/**
 * Reads a metric-history page token bound to `scope` (the run and key); undefined for the first page.
 * A token for another run or key, or edited by hand, fails with INVALID_PARAMETER_VALUE.
 */
export function decodeMetricHistoryToken(
  pageToken: string | undefined,
  scope: string,
): MetricHistoryPosition | undefined {
  if (!pageToken) return undefined;
  const payload = decodePageToken(pageToken, historyQuery(scope));
  const parsed =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? encodedSortKeySchema.safeParse(payload.after)
      : undefined;
  const position = parsed?.success ? decodeSortKey(parsed.data) : undefined;
  if (position === undefined || position.length !== 3 || position.some((part) => typeof part !== 'number')) {
    throw invalidParameter('Invalid page token: its position does not fit a metric history', {
      field: 'page_token',
    });
  }
  return position as MetricHistoryPosition;
}

/** The token of the page after the one ending at `last`, bound to `scope`. */
export function encodeMetricHistoryToken(last: Metric, scope: string): string {
  return encodePageToken({ after: encodeSortKey(historyKey(last)) }, historyQuery(scope));
}

/**
 * Orders one metric's points and returns one page. Pages are keyset-based on (timestamp, step, value),
 * which is unique once exact duplicates are dropped, so points logged between two calls never shift a page.
 * Stores that can page in their backend use {@link decodeMetricHistoryToken} and
 * {@link encodeMetricHistoryToken} directly, with the same order, so tokens mean the same everywhere.
 */
export function pageMetricHistory(points: Iterable<Metric>, input: MetricHistoryPageInput): Page<Metric> {
  const maxResults = metricHistoryPageSize(input.maxResults);
  const after: SortValue[] | undefined = decodeMetricHistoryToken(input.pageToken, input.scope);
  const sorted = [...points]
    .filter((point) => after === undefined || compareSortKeys(historyKey(point), after, ascending) > 0)
    .sort(compareMetricHistory);
  const items = sorted.slice(0, maxResults);
  const last = items[items.length - 1];
  if (sorted.length <= maxResults || last === undefined) return { items };
  return { items, nextPageToken: encodeMetricHistoryToken(last, input.scope) };
}
