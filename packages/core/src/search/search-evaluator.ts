import type { Experiment, Run } from '../entities/tracking.js';
import { systemTags } from '../tags.js';
import type { Comparison, OrderByClause, SearchFilter } from './search-ast.js';
import { compareSortKeys, type SortValue } from './search-sort-key.js';

/** Compiled LIKE/ILIKE patterns, held as long as the parsed clause lives. */
const likePatterns = new WeakMap<Comparison, RegExp>();

/** SQL LIKE as a regular expression: `%` any run, `_` one character, everything else literal. */
function likeRegExp(clause: Comparison): RegExp {
  const cached = likePatterns.get(clause);
  if (cached !== undefined) return cached;
  const pattern = String(clause.value);
  let source = '';
  for (const char of pattern) {
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s` so `%` also spans newlines, as SQL's LIKE does; `u` so `_` is one code point.
  const compiled = new RegExp(`^${source}$`, clause.comparator === 'ILIKE' ? 'isu' : 'su');
  likePatterns.set(clause, compiled);
  return compiled;
}

/** Applies a clause to a present value. Numbers follow IEEE rules, so NaN only satisfies `!=`. */
function compareValue(actual: string | number, clause: Comparison): boolean {
  const expected = clause.value;
  switch (clause.comparator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return typeof expected === 'number' && (actual as number) < expected;
    case '<=':
      return typeof expected === 'number' && (actual as number) <= expected;
    case '>':
      return typeof expected === 'number' && (actual as number) > expected;
    case '>=':
      return typeof expected === 'number' && (actual as number) >= expected;
    case 'LIKE':
    case 'ILIKE':
      return typeof actual === 'string' && likeRegExp(clause).test(actual);
    case 'IN':
      return Array.isArray(expected) && expected.includes(String(actual));
    case 'NOT IN':
      return Array.isArray(expected) && !expected.includes(String(actual));
    case 'IS NULL':
      return false;
    case 'IS NOT NULL':
      return true;
  }
}

/** A clause over one value that may be missing: missing matches only IS NULL. */
export function matchesValue(actual: string | number | undefined, clause: Comparison): boolean {
  if (actual === undefined) return clause.comparator === 'IS NULL';
  return compareValue(actual, clause);
}

function keyedValue(entries: readonly { key: string; value: string }[], key: string): string | undefined {
  let found: string | undefined;
  // Last one wins, as a later tag write overrides an earlier one.
  for (const entry of entries) if (entry.key === key) found = entry.value;
  return found;
}

/** The latest value of a metric; `data.metrics` should hold one per key, but pick by (step, timestamp, value) anyway. */
function metricValue(run: Run, key: string): number | undefined {
  let latest: Run['data']['metrics'][number] | undefined;
  for (const metric of run.data.metrics) {
    if (metric.key !== key) continue;
    if (
      latest === undefined ||
      metric.step > latest.step ||
      (metric.step === latest.step &&
        (metric.timestamp > latest.timestamp ||
          (metric.timestamp === latest.timestamp && metric.value > latest.value)))
    ) {
      latest = metric;
    }
  }
  return latest?.value;
}

function runAttribute(run: Run, key: string): string | number | undefined {
  const info = run.info;
  switch (key) {
    case 'run_id':
      return info.run_id;
    case 'run_name':
      return info.run_name;
    case 'user_id':
      return info.user_id;
    case 'status':
      return info.status;
    case 'artifact_uri':
      return info.artifact_uri;
    case 'lifecycle_stage':
      return info.lifecycle_stage;
    case 'start_time':
      return info.start_time;
    case 'end_time':
      return info.end_time;
    default:
      return undefined;
  }
}

/** A dataset clause holds when any of the run's dataset inputs satisfies it (MLflow's semantics). */
function matchesDataset(run: Run, clause: Comparison): boolean {
  return run.inputs.dataset_inputs.some((input) => {
    if (clause.key === 'context') {
      return input.tags.some(
        (tag) => tag.key === systemTags.datasetContext && compareValue(tag.value, clause),
      );
    }
    const value = clause.key === 'name' ? input.dataset.name : input.dataset.digest;
    return compareValue(value, clause);
  });
}

function matchesRunClause(run: Run, clause: Comparison): boolean {
  switch (clause.entity) {
    case 'metric':
      return matchesValue(metricValue(run, clause.key), clause);
    case 'param':
      return matchesValue(keyedValue(run.data.params, clause.key), clause);
    case 'tag':
      return matchesValue(keyedValue(run.data.tags, clause.key), clause);
    case 'attribute':
      return matchesValue(runAttribute(run, clause.key), clause);
    case 'dataset':
      return matchesDataset(run, clause);
  }
}

/** True when the run satisfies every clause of the filter. */
export function matchesRun(run: Run, filter: SearchFilter): boolean {
  return filter.clauses.every((clause) => matchesRunClause(run, clause));
}

function experimentAttribute(experiment: Experiment, key: string): SortValue {
  switch (key) {
    case 'name':
      return experiment.name;
    case 'creation_time':
      return experiment.creation_time;
    case 'last_update_time':
      return experiment.last_update_time;
    case 'experiment_id':
      return experiment.experiment_id;
    default:
      return undefined;
  }
}

/** True when the experiment satisfies every clause of the filter. */
export function matchesExperiment(experiment: Experiment, filter: SearchFilter): boolean {
  return filter.clauses.every((clause) =>
    matchesValue(
      clause.entity === 'tag'
        ? keyedValue(experiment.tags, clause.key)
        : experimentAttribute(experiment, clause.key),
      clause,
    ),
  );
}

/** MLflow's natural order of runs, appended after the user's clauses so the order is total. */
const runTiebreak: readonly OrderByClause[] = [
  { entity: 'attribute', key: 'start_time', ascending: false },
  { entity: 'attribute', key: 'run_id', ascending: true },
];

/** The clauses runs are really sorted by: the user's, then start_time DESC, run_id ASC. */
export function effectiveRunOrder(orderBy: readonly OrderByClause[]): OrderByClause[] {
  return [...orderBy, ...runTiebreak];
}

/**
 * The clauses experiments are really sorted by: `creation_time DESC, experiment_id ASC` by default,
 * otherwise the user's clauses with `experiment_id ASC` appended unless already there.
 */
export function effectiveExperimentOrder(orderBy: readonly OrderByClause[]): OrderByClause[] {
  if (orderBy.length === 0) {
    return [
      { entity: 'attribute', key: 'creation_time', ascending: false },
      { entity: 'attribute', key: 'experiment_id', ascending: true },
    ];
  }
  if (orderBy.some((clause) => clause.entity === 'attribute' && clause.key === 'experiment_id')) {
    return [...orderBy];
  }
  return [...orderBy, { entity: 'attribute', key: 'experiment_id', ascending: true }];
}

function runSortValue(run: Run, clause: OrderByClause): SortValue {
  switch (clause.entity) {
    case 'metric':
      return metricValue(run, clause.key);
    case 'param':
      return keyedValue(run.data.params, clause.key);
    case 'tag':
      return keyedValue(run.data.tags, clause.key);
    case 'attribute':
      return runAttribute(run, clause.key);
    case 'dataset':
      // parseOrderBy refuses dataset fields; a hand-built clause sorts as missing.
      return undefined;
  }
}

/** The sort key of a run under already-effective clauses (see {@link effectiveRunOrder}). */
export function runSortKey(run: Run, order: readonly OrderByClause[]): SortValue[] {
  return order.map((clause) => runSortValue(run, clause));
}

/** Numeric ids compare as numbers (SQL ids are integers, file-store ids 18 digits, past 2^53). */
function experimentIdSortValue(id: string): string {
  if (!/^[0-9]+$/.test(id)) return `s${id}`;
  const digits = id.replace(/^0+(?=.)/, '');
  return `n${String(digits.length).padStart(4, '0')}:${digits}`;
}

/** The sort key of an experiment under already-effective clauses (see {@link effectiveExperimentOrder}). */
export function experimentSortKey(experiment: Experiment, order: readonly OrderByClause[]): SortValue[] {
  return order.map((clause) => {
    if (clause.entity !== 'attribute') return keyedValue(experiment.tags, clause.key);
    if (clause.key === 'experiment_id') return experimentIdSortValue(experiment.experiment_id);
    return experimentAttribute(experiment, clause.key);
  });
}

/** Sort directions of effective clauses, for {@link compareSortKeys}. */
export function sortDirections(order: readonly OrderByClause[]): boolean[] {
  return order.map((clause) => clause.ascending);
}

/** Orders two runs by the user's clauses, then start_time DESC, run_id ASC; missing and NaN last. */
export function compareRuns(left: Run, right: Run, orderBy: readonly OrderByClause[]): number {
  const order = effectiveRunOrder(orderBy);
  return compareSortKeys(runSortKey(left, order), runSortKey(right, order), sortDirections(order));
}

/** Orders two experiments by the user's clauses (default creation_time DESC), then experiment_id ASC. */
export function compareExperiments(
  left: Experiment,
  right: Experiment,
  orderBy: readonly OrderByClause[],
): number {
  const order = effectiveExperimentOrder(orderBy);
  return compareSortKeys(
    experimentSortKey(left, order),
    experimentSortKey(right, order),
    sortDirections(order),
  );
}
