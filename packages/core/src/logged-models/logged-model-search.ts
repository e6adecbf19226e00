import type { LoggedModelDatasetFilter, LoggedModelOrderBy } from '../contracts/logged-model-store.js';
import type { LoggedModel } from '../entities/logged-model.js';
import type { Metric } from '../entities/tracking.js';
import { invalidParameter } from '../errors.js';
import { isLaterMetric } from '../latest-metric.js';
import type { OrderByClause, SearchFilter } from '../search/search-ast.js';
import { parseSearchFilter } from '../search/search-filter.js';
import { resolveIdentifier } from '../search/search-identifiers.js';
import { loggedModelStatusFromFilter } from './logged-model-validation.js';

/** An order clause of a logged-model search with the datasets its metric is scoped to. */
export interface LoggedModelOrderClause extends OrderByClause {
  /** For `metric` clauses: only metrics logged against one of these datasets count. */
  datasets?: LoggedModelDatasetFilter[];
}

/**
 * Parses a logged-model filter with core's search grammar and turns `status` values (`READY`, ...) into
 * the proto names stored on models; status only takes `=`, `!=`, `IN` and `NOT IN`, as in MLflow.
 */
export function parseLoggedModelFilter(filter: string | undefined): SearchFilter {
  const parsed = parseSearchFilter(filter, 'logged_models');
  for (const clause of parsed.clauses) {
    if (clause.entity !== 'attribute' || clause.key !== 'status') continue;
    if (!['=', '!=', 'IN', 'NOT IN'].includes(clause.comparator)) {
      throw invalidParameter(`Invalid comparison operator for status: ${clause.comparator}`, {
        field: 'filter',
      });
    }
    clause.value = Array.isArray(clause.value)
      ? clause.value.map(loggedModelStatusFromFilter)
      : loggedModelStatusFromFilter(String(clause.value));
  }
  return parsed;
}

/** Rejects a `datasets` list with an unnamed dataset, as MLflow does. */
export function validateLoggedModelDatasets(
  datasets: readonly LoggedModelDatasetFilter[] | undefined,
): LoggedModelDatasetFilter[] | undefined {
  if (datasets === undefined || datasets.length === 0) return undefined;
  for (const dataset of datasets) {
    if (!dataset.datasetName) {
      throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.', {
        field: 'datasets',
      });
    }
  }
  return [...datasets];
}

/**
 * The clauses logged models are really sorted by: the caller's (attributes, or `metrics.<key>` scoped to the
 * search's datasets and the clause's own), then `creation_timestamp DESC` and `model_id ASC` unless present.
 */
export function resolveLoggedModelOrder(
  orderBy: readonly LoggedModelOrderBy[] | undefined,
  datasets: readonly LoggedModelDatasetFilter[] | undefined,
): LoggedModelOrderClause[] {
  const clauses: LoggedModelOrderClause[] = [];
  for (const item of orderBy ?? []) {
    const ascending = item.ascending ?? true;
    const field = item.fieldName;
    const dot = field.indexOf('.');
    if (dot < 0) {
      const resolved = resolveIdentifier(undefined, field, 'logged_models', 'order_by');
      if (!resolved.ok) {
        throw invalidParameter(`Invalid order by field name: ${field}; ${resolved.reason}`, {
          field: 'order_by',
        });
      }
      clauses.push({ entity: 'attribute', key: resolved.key, ascending });
      continue;
    }
    const prefix = field.slice(0, dot);
    const key = field.slice(dot + 1).replace(/^`(.*)`$/su, '$1');
    if (prefix !== 'metrics' && prefix !== 'metric') {
      throw invalidParameter(`Invalid order by field name: ${field}. Only metrics are supported.`, {
        field: 'order_by',
      });
    }
    const scope: LoggedModelDatasetFilter[] = [...(datasets ?? [])];
    if (item.datasetName) {
      scope.push(
        item.datasetDigest
          ? { datasetName: item.datasetName, datasetDigest: item.datasetDigest }
          : { datasetName: item.datasetName },
      );
    }
    clauses.push(
      scope.length > 0
        ? { entity: 'metric', key, ascending, datasets: scope }
        : { entity: 'metric', key, ascending },
    );
  }
  const has = (key: string) => clauses.some((clause) => clause.entity === 'attribute' && clause.key === key);
  if (!has('creation_timestamp'))
    clauses.push({ entity: 'attribute', key: 'creation_timestamp', ascending: false });
  if (!has('model_id')) clauses.push({ entity: 'attribute', key: 'model_id', ascending: true });
  return clauses;
}

/** True when a model metric was logged against one of `datasets` (every metric when there are none). */
export function metricInDatasets(
  metric: Metric,
  datasets: readonly LoggedModelDatasetFilter[] | undefined,
): boolean {
  if (datasets === undefined || datasets.length === 0) return true;
  return datasets.some(
    (dataset) =>
      metric.dataset_name === dataset.datasetName &&
      (dataset.datasetDigest === undefined || metric.dataset_digest === dataset.datasetDigest),
  );
}

/**
 * Reduces a logged model's metric points to the latest per (key, dataset name, dataset digest), by
 * (step, timestamp, value): what MLflow's file store returns as a model's metrics.
 */
export function latestLoggedModelMetrics(points: Iterable<Metric>): Metric[] {
  const latest = new Map<string, Metric>();
  for (const point of points) {
    const identity = JSON.stringify([point.key, point.dataset_name ?? null, point.dataset_digest ?? null]);
    const current = latest.get(identity);
    if (current === undefined || isLaterMetric(point, current)) latest.set(identity, point);
  }
  return [...latest.values()];
}

/** The latest value of a model metric among those logged against `datasets`. */
export function loggedModelMetricValue(
  model: LoggedModel,
  key: string,
  datasets: readonly LoggedModelDatasetFilter[] | undefined,
): number | undefined {
  let latest: Metric | undefined;
  for (const metric of model.data.metrics) {
    if (metric.key !== key || !metricInDatasets(metric, datasets)) continue;
    if (latest === undefined || isLaterMetric(metric, latest)) latest = metric;
  }
  return latest?.value;
}
