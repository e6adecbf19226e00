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

/**
 * Orders one metric's points and returns one page. Pages are keyset-based on (timestamp, step, value),
 * which is unique once exact duplicates are dropped, so points logged between two calls never shift a page.
 */
export function pageMetricHistory(points: Iterable<Metric>, input: MetricHistoryPageInput): Page<Metric> {
  const maxResults = resolveMaxResults(input.maxResults, {
    defaultValue: limits.metricHistoryPageSize,
    max: limits.metricHistoryPageSize,
  });
  const query: PageTokenQuery = { scope: `metric-history\u0000${input.scope}` };
  let after: SortValue[] | undefined;
  if (input.pageToken) {
    const payload = decodePageToken(input.pageToken, query);
    const parsed =
      typeof payload === 'object' && payload !== null && !Array.isArray(payload)
        ? encodedSortKeySchema.safeParse(payload.after)
        : undefined;
    if (parsed === undefined || !parsed.success || parsed.data.length !== ascending.length) {
      throw invalidParameter('Invalid page token: its position does not fit a metric history', {
        field: 'page_token',
      });
    }
    after = decodeSortKey(parsed.data);
  }
  const sorted = [...points]
    .filter((point) => after === undefined || compareSortKeys(historyKey(point), after, ascending) > 0)
    .sort(compareMetricHistory);
  const items = sorted.slice(0, maxResults);
  const last = items[items.length - 1];
  if (sorted.length <= maxResults || last === undefined) return { items };
  return { items, nextPageToken: encodePageToken({ after: encodeSortKey(historyKey(last)) }, query) };
}
