import type { SearchLoggedModelsInput } from '../contracts/logged-model-store.js';
import type { Page } from '../contracts/page.js';
import type { LoggedModel } from '../entities/logged-model.js';
import { invalidParameter } from '../errors.js';
import { limits } from '../limits.js';
import { resolveMaxResults } from '../search/max-results.js';
import { decodePageToken, encodePageToken, type PageTokenQuery } from '../search/page-token.js';
import type { Comparison, SearchFilter } from '../search/search-ast.js';
import { matchesValue } from '../search/search-evaluator.js';
import {
  compareSortKeys,
  decodeSortKey,
  encodedSortKeySchema,
  encodeSortKey,
  type SortValue,
} from '../search/search-sort-key.js';
import {
  type LoggedModelOrderClause,
  loggedModelMetricValue,
  metricInDatasets,
  parseLoggedModelFilter,
  resolveLoggedModelOrder,
  validateLoggedModelDatasets,
} from './logged-model-search.js';

function keyed(entries: readonly { key: string; value: string }[], key: string): string | undefined {
  return entries.find((entry) => entry.key === key)?.value;
}

/** The value of a logged-model attribute a filter or order clause names. */
export function loggedModelAttribute(model: LoggedModel, key: string): string | number | undefined {
  const info = model.info;
  switch (key) {
    case 'name':
      return info.name;
    case 'model_id':
      return info.model_id;
    case 'model_type':
      return info.model_type;
    case 'status':
      return info.status;
    case 'source_run_id':
      return info.source_run_id;
    case 'creation_timestamp':
      return info.creation_timestamp_ms;
    case 'last_updated_timestamp':
      return info.last_updated_timestamp_ms;
    default:
      return undefined;
  }
}

function matchesClause(
  model: LoggedModel,
  clause: Comparison,
  datasets: SearchLoggedModelsInput['datasets'],
): boolean {
  switch (clause.entity) {
    case 'metric':
      return matchesValue(loggedModelMetricValue(model, clause.key, datasets), clause);
    case 'param':
      return matchesValue(keyed(model.data.params, clause.key), clause);
    case 'tag':
      return matchesValue(keyed(model.info.tags, clause.key), clause);
    case 'attribute':
      return matchesValue(loggedModelAttribute(model, clause.key), clause);
    default:
      return false;
  }
}

/**
 * True when a logged model satisfies every clause. With `datasets` and no metric clause, a model must
 * have at least one metric logged against those datasets (MLflow's rule).
 */
export function matchesLoggedModel(
  model: LoggedModel,
  filter: SearchFilter,
  datasets: SearchLoggedModelsInput['datasets'],
): boolean {
  if (!filter.clauses.every((clause) => matchesClause(model, clause, datasets))) return false;
  const hasMetricClause = filter.clauses.some((clause) => clause.entity === 'metric');
  if (datasets !== undefined && datasets.length > 0 && !hasMetricClause) {
    return model.data.metrics.some((metric) => metricInDatasets(metric, datasets));
  }
  return true;
}

function sortKey(model: LoggedModel, order: readonly LoggedModelOrderClause[]): SortValue[] {
  return order.map((clause) =>
    clause.entity === 'metric'
      ? loggedModelMetricValue(model, clause.key, clause.datasets)
      : loggedModelAttribute(model, clause.key),
  );
}

/**
 * Filters, orders and pages logged models in memory. The caller passes the active models of the requested
 * experiments. Pages are keyset-based, so models created between two calls are never repeated or skipped;
 * the token is bound to the experiments, filter, datasets and order it was made for.
 */
export function searchLoggedModelsInMemory(
  models: Iterable<LoggedModel>,
  input: SearchLoggedModelsInput,
): Page<LoggedModel> {
  const maxResults = resolveMaxResults(input.maxResults, {
    defaultValue: limits.searchLoggedModelsDefaultMaxResults,
    max: limits.searchLoggedModelsMaxResults,
  });
  const datasets = validateLoggedModelDatasets(input.datasets);
  const filter = parseLoggedModelFilter(input.filter);
  const order = resolveLoggedModelOrder(input.orderBy, datasets);
  const ascending = order.map((clause) => clause.ascending);
  const query: PageTokenQuery = {
    filter: input.filter,
    orderBy: (input.orderBy ?? []).map((clause) => JSON.stringify(clause)),
    scope: `logged_models\u0000${JSON.stringify([input.experimentIds, datasets ?? []])}`,
  };
  let after: SortValue[] | undefined;
  if (input.pageToken) {
    const payload = decodePageToken(input.pageToken, query);
    const parsed =
      typeof payload === 'object' && payload !== null && !Array.isArray(payload)
        ? encodedSortKeySchema.safeParse(payload.after)
        : undefined;
    if (parsed === undefined || !parsed.success || parsed.data.length !== order.length) {
      throw invalidParameter('Invalid page token: its position does not fit this search', {
        field: 'page_token',
      });
    }
    after = decodeSortKey(parsed.data);
  }

  const candidates: { model: LoggedModel; key: SortValue[] }[] = [];
  for (const model of models) {
    if (!matchesLoggedModel(model, filter, datasets)) continue;
    const key = sortKey(model, order);
    if (after !== undefined && compareSortKeys(key, after, ascending) <= 0) continue;
    candidates.push({ model, key });
  }
  candidates.sort((left, right) => compareSortKeys(left.key, right.key, ascending));
  const page = candidates.slice(0, maxResults);
  const last = page[page.length - 1];
  const items = page.map((entry) => entry.model);
  if (candidates.length <= maxResults || last === undefined) return { items };
  return { items, nextPageToken: encodePageToken({ after: encodeSortKey(last.key) }, query) };
}
