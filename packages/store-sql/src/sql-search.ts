import {
  type Comparison,
  decodePageToken,
  type Experiment,
  encodePageToken,
  limits,
  type OrderByClause,
  type Page,
  type PageTokenQuery,
  parseOrderBy,
  parseSearchFilter,
  type Run,
  resolveMaxResults,
  type SearchExperimentsInput,
  type SearchRunsInput,
} from '@cairn/core';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { ExperimentsTable } from './database-types.js';
import type { SqlDatabase } from './open-sql-database.js';
import { experimentFilterConditions, runFilterConditions } from './sql-filter.js';
import { type MetricWalk, walkBoundary, walksFirstMetric, walkWindow } from './sql-metric-walk.js';
import {
  afterPosition,
  experimentSortTerms,
  foldableMetricClauses,
  orderByColumns,
  positionFromPayload,
  type RunSearchPlan,
  rowPosition,
  runSortTerms,
  type SortPosition,
  type SortTerm,
} from './sql-order.js';
import { experimentFromRow, loadExperimentTags, loadRunsById } from './sql-rows.js';
import { experimentIdNumber } from './sql-values.js';

const lifecycleCondition = (column: RawBuilder<unknown>, viewType: string) => {
  if (viewType === 'ALL') return sql`1 = 1`;
  return sql`${column} = ${viewType === 'DELETED_ONLY' ? 'deleted' : 'active'}`;
};

/** One keyset-paged search over a table: what {@link fetchPage} runs. */
export interface PageQuery {
  table: 'runs' | 'experiments' | 'registered_models' | 'model_versions';
  /** What each candidate row carries besides its sort columns: as little as identifies it. */
  select: RawBuilder<unknown>;
  terms: SortTerm[];
  conditions: RawBuilder<unknown>[];
  query: PageTokenQuery;
  pageToken: string | undefined;
  maxResults: number;
}

/** A page query's rows after `keyset` (all when undefined), at most `limit` of them, in the terms' order. */
async function selectRows(
  database: SqlDatabase,
  page: Pick<PageQuery, 'table' | 'select' | 'terms' | 'conditions'>,
  keyset: RawBuilder<unknown> | undefined,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { terms } = page;
  const columns = sql.join(
    terms.flatMap((term, index) => [
      sql`${term.rank} AS ${sql.raw(`r${index}`)}`,
      sql`${term.value} AS ${sql.raw(`v${index}`)}`,
    ]),
  );
  const joins = sql.join(
    terms.flatMap((term) => (term.join === undefined ? [] : [term.join])),
    sql` `,
  );
  const where = page.conditions.length === 0 ? sql`1 = 1` : sql.join(page.conditions, sql` AND `);
  const from = terms.find((term) => term.drives !== undefined)?.drives ?? sql.table(page.table);
  const inner = sql`SELECT ${page.select}, ${columns} FROM ${from} ${joins} WHERE ${where}`;
  const result = await sql<Record<string, unknown>>`
    SELECT * FROM (${inner}) AS page WHERE ${keyset ?? sql`1 = 1`} ORDER BY ${orderByColumns(terms)} LIMIT ${sql.raw(String(limit))}`.execute(
    database.db,
  );
  return result.rows;
}

/** The page of `rows` (fetched one past `maxResults`) and the token of the next page when one follows. */
function finishPage(
  rows: Record<string, unknown>[],
  page: Pick<PageQuery, 'terms' | 'query' | 'maxResults'>,
): { rows: Record<string, unknown>[]; nextPageToken?: string } {
  const kept = rows.slice(0, page.maxResults);
  const last = kept[kept.length - 1];
  if (rows.length <= page.maxResults || last === undefined) return { rows: kept };
  return { rows: kept, nextPageToken: encodePageToken({ after: rowPosition(last, page.terms) }, page.query) };
}

const positionOf = (page: Pick<PageQuery, 'pageToken' | 'query' | 'terms'>): SortPosition | undefined =>
  page.pageToken === undefined || page.pageToken === ''
    ? undefined
    : positionFromPayload(decodePageToken(page.pageToken, page.query), page.terms);

/**
 * Runs one keyset-paged query: the filtered rows with their sort columns in a derived table, the token's
 * position applied outside it, one row more than the page to learn whether another page follows. The
 * derived table selects only `page.select` and the sort columns, so the sort moves narrow rows.
 */
export async function fetchPage(
  database: SqlDatabase,
  page: PageQuery,
): Promise<{ rows: Record<string, unknown>[]; nextPageToken?: string }> {
  const position = positionOf(page);
  const keyset = position === undefined ? undefined : afterPosition(page.terms, position);
  return finishPage(await selectRows(database, page, keyset, page.maxResults + 1), page);
}

/**
 * A run search ordered first by a metric on SQLite with Cairn's value index: a bounded walk of the metric's
 * present, non-NaN values (see `MetricWalk`). When the walk holds the page and its last row sorts strictly
 * before the walk's last entry, that is the page. When the walk reached the end of the metric's entries,
 * the runs where it is NaN or missing (rank 1 and 2, after every value) follow, joined and sorted as without
 * the index. Otherwise (a filter matching too few runs) the search runs as without the index, having spent
 * one bounded walk. Page tokens are the one-pass plan's, so pages made either way follow each other.
 */
async function fetchWalkedPage(
  database: SqlDatabase,
  page: PageQuery,
  first: OrderByClause,
  foldedFirst: readonly Comparison[],
  plan: RunSearchPlan,
  orderBy: readonly OrderByClause[],
  folded: ReadonlyMap<string, readonly Comparison[]>,
): Promise<{ rows: Record<string, unknown>[]; nextPageToken?: string }> {
  const position = positionOf(page);
  const limit = page.maxResults + 1;
  const rows: Record<string, unknown>[] = [];
  const afterValues = position === undefined || position[0]?.[0] === 0;
  if (afterValues) {
    const from = position?.[0]?.[1];
    const walk: MetricWalk = { window: walkWindow(limit), ...(typeof from === 'number' ? { from } : {}) };
    const boundary = await walkBoundary(database, first, foldedFirst, walk);
    const terms = runSortTerms(database.dialect, orderBy, folded, plan, { walkFirstMetric: walk });
    const keyset = position === undefined ? undefined : afterPosition(terms, position);
    rows.push(...(await selectRows(database, { ...page, terms }, keyset, limit)));
    if (boundary !== undefined) {
      const last = Number(rows[page.maxResults - 1]?.v0);
      const beforeBoundary = first.ascending ? last < boundary : last > boundary;
      if (rows.length === limit && beforeBoundary) return finishPage(rows, page);
      return fetchPage(database, page);
    }
  }
  // Filter clauses folded into the walk imply the metric is there and not NaN: no run has rank 1 or 2.
  if (rows.length < limit && foldedFirst.length === 0) {
    const rest = { ...page, conditions: [...page.conditions, sql`${(page.terms[0] as SortTerm).rank} <> 0`] };
    const keyset = afterValues || position === undefined ? undefined : afterPosition(page.terms, position);
    rows.push(...(await selectRows(database, rest, keyset, limit - rows.length)));
  }
  return finishPage(rows, page);
}

/** Searches runs with the filter and ordering pushed down into SQL, then loads only the page's data. */
export async function searchRunsInSql(
  database: SqlDatabase,
  input: SearchRunsInput,
  plan?: RunSearchPlan,
): Promise<Page<Run>> {
  // Arguments are validated before any data is read, so a bad request fails the same way on any store.
  const maxResults = resolveMaxResults(input.maxResults, {
    defaultValue: limits.searchRunsDefaultMaxResults,
    max: limits.searchRunsMaxResults,
  });
  const filter = parseSearchFilter(input.filter, 'runs');
  const orderBy = parseOrderBy(input.orderBy, 'runs');
  const viewType = input.runViewType ?? 'ACTIVE_ONLY';
  const wanted = [...new Set(input.experimentIds)];
  const query: PageTokenQuery = {
    filter: input.filter,
    orderBy: input.orderBy,
    scope: `runs\u0000${JSON.stringify([[...wanted].sort(), viewType])}`,
  };
  // SQL experiment ids are integers; any other id names no experiment.
  const ids = wanted.flatMap((id) => {
    const number = experimentIdNumber(id);
    return number === undefined ? [] : [number];
  });
  const folded = foldableMetricClauses(filter, orderBy);
  const searchPlan = plan ?? { metricValueIndex: false };
  const terms = runSortTerms(database.dialect, orderBy, folded, searchPlan);
  if (ids.length === 0) {
    if (input.pageToken) positionFromPayload(decodePageToken(input.pageToken, query), terms);
    return { items: [] };
  }
  const conditions = [
    sql`${sql.ref('runs.experiment_id')} IN (${sql.join(ids.map((id) => sql`${id}`))})`,
    lifecycleCondition(sql.ref('runs.lifecycle_stage'), viewType),
    ...runFilterConditions(database.dialect, filter, new Set([...folded.values()].flat())),
  ];
  const runPage: PageQuery = {
    table: 'runs',
    select: sql.ref('runs.run_uuid'),
    terms,
    conditions,
    query,
    pageToken: input.pageToken,
    maxResults,
  };
  const first = orderBy[0];
  const page =
    first !== undefined && walksFirstMetric(database.dialect, orderBy, searchPlan)
      ? await fetchWalkedPage(
          database,
          runPage,
          first,
          folded.get(first.key) ?? [],
          searchPlan,
          orderBy,
          folded,
        )
      : await fetchPage(database, runPage);
  const items = await loadRunsById(
    database.db,
    page.rows.map((row) => String(row.run_uuid)),
  );
  return page.nextPageToken === undefined ? { items } : { items, nextPageToken: page.nextPageToken };
}

/** Searches experiments with the filter and ordering pushed down into SQL. */
export async function searchExperimentsInSql(
  database: SqlDatabase,
  input: SearchExperimentsInput,
): Promise<Page<Experiment>> {
  const maxResults = resolveMaxResults(input.maxResults, {
    defaultValue: limits.searchExperimentsDefaultMaxResults,
    max: limits.searchExperimentsMaxResults,
  });
  const filter = parseSearchFilter(input.filter, 'experiments');
  const orderBy = parseOrderBy(input.orderBy, 'experiments');
  const viewType = input.viewType ?? 'ACTIVE_ONLY';
  const query: PageTokenQuery = {
    filter: input.filter,
    orderBy: input.orderBy,
    scope: `experiments\u0000${viewType}`,
  };
  const page = await fetchPage(database, {
    table: 'experiments',
    select: sql`${sql.table('experiments')}.*`,
    terms: experimentSortTerms(database.dialect, orderBy),
    conditions: [
      lifecycleCondition(sql.ref('experiments.lifecycle_stage'), viewType),
      ...experimentFilterConditions(database.dialect, filter),
    ],
    query,
    pageToken: input.pageToken,
    maxResults,
  });
  const rows = page.rows as unknown as Selectable<ExperimentsTable>[];
  const tags = await loadExperimentTags(
    database.db,
    rows.map((row) => Number(row.experiment_id)),
  );
  const items = rows.map((row) => experimentFromRow(row, tags.get(String(row.experiment_id)) ?? []));
  return page.nextPageToken === undefined ? { items } : { items, nextPageToken: page.nextPageToken };
}
