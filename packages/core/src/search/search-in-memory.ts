import type { Page } from '../contracts/page.js';
import type { Experiment, Run } from '../entities/tracking.js';
import { invalidParameter } from '../errors.js';
import { limits } from '../limits.js';
import { type MaxResultsRule, resolveMaxResults } from './max-results.js';
import { parseOrderBy } from './order-by.js';
import { decodePageToken, encodePageToken, type PageTokenQuery } from './page-token.js';
import type { OrderByClause, SearchFilter, SearchTarget } from './search-ast.js';
import {
  effectiveExperimentOrder,
  effectiveRunOrder,
  experimentSortKey,
  matchesExperiment,
  matchesRun,
  runSortKey,
  sortDirections,
} from './search-evaluator.js';
import { parseSearchFilter } from './search-filter.js';
import {
  compareSortKeys,
  decodeSortKey,
  encodedSortKeySchema,
  encodeSortKey,
  type SortValue,
} from './search-sort-key.js';

/** Arguments shared by the in-memory searches. */
export interface InMemorySearchInput {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  /**
   * What else defines the result set (experiment ids, view type...). It is folded into the page token's
   * fingerprint, so a token is refused when reused with a different scope.
   */
  scope?: string;
}

/** How one target is filtered and ordered. */
export interface SearchPlan<T> {
  target: SearchTarget;
  maxResults: MaxResultsRule;
  matches: (item: T, filter: SearchFilter) => boolean;
  order: (orderBy: readonly OrderByClause[]) => OrderByClause[];
  sortKey: (item: T, order: readonly OrderByClause[]) => SortValue[];
}

const runPlan: SearchPlan<Run> = {
  target: 'runs',
  maxResults: { defaultValue: limits.searchRunsDefaultMaxResults, max: limits.searchRunsMaxResults },
  matches: matchesRun,
  order: effectiveRunOrder,
  sortKey: runSortKey,
};

const experimentPlan: SearchPlan<Experiment> = {
  target: 'experiments',
  maxResults: {
    defaultValue: limits.searchExperimentsDefaultMaxResults,
    max: limits.searchExperimentsMaxResults,
  },
  matches: matchesExperiment,
  order: effectiveExperimentOrder,
  sortKey: experimentSortKey,
};

/** Reads the keyset position out of a page token, checking it fits the sort order. */
function readAfter(token: string, query: PageTokenQuery, width: number): SortValue[] {
  const payload = decodePageToken(token, query);
  const parsed =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? encodedSortKeySchema.safeParse(payload.after)
      : undefined;
  if (parsed === undefined || !parsed.success || parsed.data.length !== width) {
    throw invalidParameter('Invalid page token: its position does not fit this search', {
      field: 'page_token',
    });
  }
  return decodeSortKey(parsed.data);
}

/** Filters, orders and keyset-pages `items` by a plan: the engine of every in-memory search. */
export function searchInMemory<T>(
  plan: SearchPlan<T>,
  items: Iterable<T>,
  input: InMemorySearchInput,
): Page<T> {
  // Validate every argument before reading any data, so a bad request fails the same way on an empty store.
  const maxResults = resolveMaxResults(input.maxResults, plan.maxResults);
  const filter = parseSearchFilter(input.filter, plan.target);
  const order = plan.order(parseOrderBy(input.orderBy, plan.target));
  const ascending = sortDirections(order);
  // The target is part of the scope so a run-search token never opens an experiment search.
  const query: PageTokenQuery = {
    filter: input.filter,
    orderBy: input.orderBy,
    scope: `${plan.target}\u0000${input.scope ?? ''}`,
  };
  const after = input.pageToken ? readAfter(input.pageToken, query, order.length) : undefined;

  const candidates: { item: T; key: SortValue[] }[] = [];
  for (const item of items) {
    if (!plan.matches(item, filter)) continue;
    const key = plan.sortKey(item, order);
    // Keyset paging: resume strictly after the last item returned, wherever new items landed.
    if (after !== undefined && compareSortKeys(key, after, ascending) <= 0) continue;
    candidates.push({ item, key });
  }
  candidates.sort((left, right) => compareSortKeys(left.key, right.key, ascending));

  const page = candidates.slice(0, maxResults);
  const last = page[page.length - 1];
  if (candidates.length <= maxResults || last === undefined)
    return { items: page.map((entry) => entry.item) };
  return {
    items: page.map((entry) => entry.item),
    nextPageToken: encodePageToken({ after: encodeSortKey(last.key) }, query),
  };
}

/**
 * Filters, orders and pages runs in memory, for stores that cannot push a search down. The caller has
 * already narrowed `runs` to the requested experiments and view type. Pages are keyset-based, so runs
 * inserted between two calls are never repeated or skipped.
 */
export function searchRunsInMemory(runs: Iterable<Run>, input: InMemorySearchInput): Page<Run> {
  return searchInMemory(runPlan, runs, input);
}

/** The same as {@link searchRunsInMemory}, for experiments. */
export function searchExperimentsInMemory(
  experiments: Iterable<Experiment>,
  input: InMemorySearchInput,
): Page<Experiment> {
  return searchInMemory(experimentPlan, experiments, input);
}
