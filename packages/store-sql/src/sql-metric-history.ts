import {
  decodeMetricHistoryToken,
  encodeMetricHistoryToken,
  type GetMetricHistoryInput,
  type Metric,
  metricHistoryPageSize,
  type Page,
} from '@cairn/core';
import type { SqlDatabase } from './open-sql-database.js';
import { booleanParameter, metricValueFromRow, storedMetricValue, toNumber } from './sql-values.js';

/**
 * One page of a metric's history as one keyset query: the points after the token's position in
 * (timestamp, step, value) order — NaN after every number, as core orders them — at most one page plus one
 * to learn whether another follows. Memory per page is the page, whatever the history's length; the rows
 * are unique already (the primary key covers every column), and tokens are core's, so they read the same
 * as any other store's.
 */
export async function metricHistoryPageInSql(
  database: SqlDatabase,
  input: GetMetricHistoryInput,
): Promise<Page<Metric>> {
  const { db, dialect } = database;
  const scope = `${input.runId}\u0000${input.metricKey}`;
  const pageSize = metricHistoryPageSize(input.maxResults);
  const after = decodeMetricHistoryToken(input.pageToken, scope);
  const yes = booleanParameter(dialect, true);
  const no = booleanParameter(dialect, false);
  let query = db
    .selectFrom('metrics')
    .select(['value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', input.runId)
    .where('key', '=', input.metricKey);
  if (after !== undefined) {
    const [timestamp, step, value] = after;
    // Implied by the OR below, but only this form lets the database seek the primary key (key, timestamp,
    // ...) to the page's start; without it every page scanned the history from its first point (a 1M-point
    // history read page by page was quadratic).
    query = query.where('timestamp', '>=', timestamp);
    query = query.where((eb) => {
      const later = [
        eb('timestamp', '>', timestamp),
        eb.and([eb('timestamp', '=', timestamp), eb('step', '>', step)]),
      ];
      // At the same (timestamp, step): numbers above the last one, then NaN; nothing follows a NaN.
      if (!Number.isNaN(value)) {
        const stored = storedMetricValue(value).value;
        later.push(
          eb.and([
            eb('timestamp', '=', timestamp),
            eb('step', '=', step),
            eb.or([eb('is_nan', '=', yes), eb.and([eb('is_nan', '=', no), eb('value', '>', stored)])]),
          ]),
        );
      }
      return eb.or(later);
    });
  }
  const rows = await query
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('is_nan')
    .orderBy('value')
    .limit(pageSize + 1)
    .execute();
  const items: Metric[] = rows.slice(0, pageSize).map((row) => ({
    key: input.metricKey,
    value: metricValueFromRow(row.value, row.is_nan),
    timestamp: toNumber(row.timestamp),
    step: toNumber(row.step),
  }));
  const last = items[items.length - 1];
  if (rows.length <= pageSize || last === undefined) return { items };
  return { items, nextPageToken: encodeMetricHistoryToken(last, scope) };
}
