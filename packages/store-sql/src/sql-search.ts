import {
  decodePageToken,
  type Experiment,
  encodePageToken,
  limits,
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
import {
  afterPosition,
  experimentSortTerms,
  foldableMetricClauses,
  orderByColumns,
  positionFromPayload,
  type RunSearchPlan,
  rowPosition,
  runSortTerms,
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

/**
 * Runs one keyset-paged query: the filtered rows with their sort columns in a derived table, the token's
 * position applied outside it, one row more than the page to learn whether another page follows. The
 * derived table selects only `page.select` and the sort columns, so the sort moves narrow rows.
 */
export async function fetchPage(
  database: SqlDatabase,
  page: PageQuery,
): Promise<{ rows: Record<string, unknown>[]; nextPageToken?: string }> {
  const { terms } = page;
  const position =
    page.pageToken === undefined || page.pageToken === ''
      ? undefined
      : positionFromPayload(decodePageToken(page.pageToken, page.query), terms);
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
  const table = sql.table(page.table);
  const inner = sql`SELECT ${page.select}, ${columns} FROM ${table} ${joins} WHERE ${where}`;
  const keyset = position === undefined ? sql`1 = 1` : afterPosition(terms, position);
  const result = await sql<Record<string, unknown>>`
    SELECT * FROM (${inner}) AS page WHERE ${keyset} ORDER BY ${orderByColumns(terms)} LIMIT ${sql.raw(String(page.maxResults + 1))}`.execute(
    database.db,
  );
  const rows = result.rows.slice(0, page.maxResults);
  const last = rows[rows.length - 1];
  if (result.rows.length <= page.maxResults || last === undefined) return { rows };
  return { rows, nextPageToken: encodePageToken({ after: rowPosition(last, terms) }, page.query) };
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
  const terms = runSortTerms(database.dialect, orderBy, folded, plan);
  if (ids.length === 0) {
    if (input.pageToken) positionFromPayload(decodePageToken(input.pageToken, query), terms);
    return { items: [] };
  }
  const conditions = [
    sql`${sql.ref('runs.experiment_id')} IN (${sql.join(ids.map((id) => sql`${id}`))})`,
    lifecycleCondition(sql.ref('runs.lifecycle_stage'), viewType),
    ...runFilterConditions(database.dialect, filter, new Set([...folded.values()].flat())),
  ];
  const page = await fetchPage(database, {
    table: 'runs',
    select: sql.ref('runs.run_uuid'),
    terms,
    conditions,
    query,
    pageToken: input.pageToken,
    maxResults,
  });
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
