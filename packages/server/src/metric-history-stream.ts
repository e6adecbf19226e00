import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Metric, Page, TrackingStore } from '@cairn/core';
import { toWireJson } from '@cairn/core/wire';

/**
 * Points per store page when a whole history is streamed. A page is one query (SQLite's driver runs it on
 * the event loop) and one JSON.stringify: at 2,000 points both take a few milliseconds even when other
 * runs' points of the same key interleave in the index, so other requests wait at most that long.
 */
export const streamedHistoryPageSize = 2_000;

/** Options of {@link streamMetricHistory}. */
export interface StreamMetricHistoryOptions {
  /** Points per store page (default {@link streamedHistoryPageSize}). */
  pageSize?: number;
}

/**
 * A metric's whole history as get-history's JSON body (`{"metrics":[...]}`, byte for byte what serialising
 * the whole list gives, NaN and infinities as strings), written page by page as the reader takes it: memory
 * is about one page whatever the history's length, the event loop is yielded between pages, and a client
 * that goes away stops the reading. The first page is read before this resolves, so an unknown run still
 * fails with its error response rather than a cut-off body.
 */
export async function streamMetricHistory(
  store: TrackingStore,
  runId: string,
  metricKey: string,
  options: StreamMetricHistoryOptions = {},
): Promise<Readable> {
  const maxResults = options.pageSize ?? streamedHistoryPageSize;
  const first = await store.getMetricHistory({ runId, metricKey, maxResults });
  async function* body(): AsyncGenerator<string> {
    yield '{"metrics":[';
    let page: Page<Metric> = first;
    let separator = '';
    for (;;) {
      if (page.items.length > 0) {
        yield separator + toWireJson(page.items).slice(1, -1);
        separator = ',';
      }
      const pageToken = page.nextPageToken;
      if (pageToken === undefined) break;
      await nextTurn();
      page = await store.getMetricHistory({ runId, metricKey, maxResults, pageToken });
    }
    yield ']}';
  }
  // Byte mode with the default 16 KiB mark: a page is pulled only when the socket has taken the last one.
  return Readable.from(body(), { objectMode: false });
}
