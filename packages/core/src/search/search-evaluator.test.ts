import { describe, expect, it } from 'vitest';
import type { Experiment, Run } from '../entities/tracking.js';
import { parseOrderBy } from './order-by.js';
import { compareExperiments, compareRuns, matchesExperiment, matchesRun } from './search-evaluator.js';
import { parseSearchFilter } from './search-filter.js';

interface RunSpec {
  id: string;
  name?: string;
  start?: number;
  end?: number;
  status?: Run['info']['status'];
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

function makeRun(spec: RunSpec): Run {
  return {
    info: {
      run_id: spec.id,
      run_uuid: spec.id,
      run_name: spec.name ?? `run-${spec.id}`,
      experiment_id: '1',
      user_id: 'alice',
      status: spec.status ?? 'FINISHED',
      start_time: spec.start ?? 1000,
      ...(spec.end === undefined ? {} : { end_time: spec.end }),
      artifact_uri: `file:///tmp/1/${spec.id}/artifacts`,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Object.entries(spec.metrics ?? {}).map(([key, value]) => ({
        key,
        value,
        timestamp: 1,
        step: 0,
      })),
      params: Object.entries(spec.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
    inputs: {
      dataset_inputs: (spec.datasets ?? []).map((dataset) => ({
        tags: dataset.context === undefined ? [] : [{ key: 'mlflow.data.context', value: dataset.context }],
        dataset: { name: dataset.name, digest: dataset.digest, source_type: 'local', source: '{}' },
      })),
    },
  };
}

function matches(run: Run, filter: string): boolean {
  return matchesRun(run, parseSearchFilter(filter, 'runs'));
}

function sortRuns(runs: Run[], orderBy: string[]): string[] {
  const clauses = parseOrderBy(orderBy, 'runs');
  return [...runs].sort((left, right) => compareRuns(left, right, clauses)).map((run) => run.info.run_id);
}

const run = makeRun({
  id: 'r1',
  name: 'Brave-Fox-7',
  start: 5000,
  end: 9000,
  metrics: { acc: 0.9, loss: 0.25, 'my metric': 3, nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
  params: { lr: '0.01', opt: 'Adam', path: 'a.b*c' },
  tags: { 'mlflow.runName': 'Brave-Fox-7', team: 'vision', multi: 'line1\nline2' },
  datasets: [
    { name: 'mnist', digest: 'abc123', context: 'training' },
    { name: 'cifar', digest: 'def456', context: 'eval' },
  ],
});

describe('matchesRun', () => {
  it('matches an empty filter', () => {
    expect(matches(run, '')).toBe(true);
  });

  it.each([
    ['metrics.acc = 0.9', true],
    ['metrics.acc != 0.9', false],
    ['metrics.acc > 0.8', true],
    ['metrics.acc >= 0.9', true],
    ['metrics.acc < 0.9', false],
    ['metrics.acc <= 0.9', true],
    ['metrics.`my metric` = 3', true],
    ['metrics.inf > 1e308', true],
    ['metrics.acc > 0.5 AND metrics.loss < 0.3', true],
    ['metrics.acc > 0.5 AND metrics.loss > 0.3', false],
  ])('metric clause %s -> %s', (filter, expected) => {
    expect(matches(run, filter)).toBe(expected);
  });

  it.each([
    ['metrics.nan = 0', false],
    ['metrics.nan > 0', false],
    ['metrics.nan < 0', false],
    ['metrics.nan >= 0', false],
    ['metrics.nan <= 0', false],
    ['metrics.nan != 0', true],
  ])('NaN follows IEEE: %s -> %s', (filter, expected) => {
    expect(matches(run, filter)).toBe(expected);
  });

  it('never matches a missing metric, param or tag, whatever the comparator', () => {
    for (const filter of [
      'metrics.absent > 0',
      'metrics.absent != 0',
      "params.absent != 'x'",
      "params.absent LIKE '%'",
      "tags.absent != 'x'",
    ]) {
      expect(matches(run, filter), filter).toBe(false);
    }
  });

  it('treats IS NULL / IS NOT NULL as absence / presence', () => {
    expect(matches(run, 'metrics.absent IS NULL')).toBe(true);
    expect(matches(run, 'metrics.acc IS NULL')).toBe(false);
    expect(matches(run, 'metrics.nan IS NOT NULL')).toBe(true);
    expect(matches(run, 'params.lr IS NOT NULL')).toBe(true);
    expect(matches(run, 'params.absent IS NOT NULL')).toBe(false);
    expect(matches(run, 'tags.team IS NULL')).toBe(false);
    expect(matches(run, 'tags.absent IS NULL')).toBe(true);
  });

  it('compares params and tags case-sensitively with = and !=', () => {
    expect(matches(run, "params.opt = 'Adam'")).toBe(true);
    expect(matches(run, "params.opt = 'adam'")).toBe(false);
    expect(matches(run, "params.opt != 'adam'")).toBe(true);
    expect(matches(run, "tags.`mlflow.runName` = 'Brave-Fox-7'")).toBe(true);
  });

  it.each([
    ["params.opt LIKE 'Ad%'", true],
    ["params.opt LIKE 'ad%'", false],
    ["params.opt ILIKE 'ad%'", true],
    ["params.opt LIKE 'A_am'", true],
    ["params.opt LIKE 'A_m'", false],
    ["params.opt LIKE '%'", true],
    ["params.opt LIKE 'Adam'", true],
    ["params.opt LIKE 'Ada'", false],
    ["params.path LIKE 'a.b*c'", true],
    ["params.path LIKE 'aXb*c'", false],
    ["params.path LIKE 'a.b%'", true],
    ["params.lr LIKE '0.0_'", true],
    ["tags.multi LIKE 'line1%line2'", true],
    ["tags.team ILIKE '%ISI%'", true],
  ])('LIKE / ILIKE: %s -> %s', (filter, expected) => {
    expect(matches(run, filter)).toBe(expected);
  });

  it('treats regex specials in LIKE patterns literally', () => {
    const special = makeRun({ id: 'r2', params: { p: '(a+b)[c]{d}|^$\\/?' } });
    expect(matches(special, "params.p LIKE '(a+b)[c]{d}|^$\\/?'")).toBe(true);
    expect(matches(special, "params.p LIKE '(a+b)%'")).toBe(true);
    expect(matches(special, "params.p LIKE 'a+b%'")).toBe(false);
  });

  it('filters on run attributes', () => {
    expect(matches(run, "attributes.run_id = 'r1'")).toBe(true);
    expect(matches(run, "run_name = 'Brave-Fox-7'")).toBe(true);
    expect(matches(run, "`Run Name` ILIKE 'brave%'")).toBe(true);
    expect(matches(run, "user_id = 'alice'")).toBe(true);
    expect(matches(run, "status = 'FINISHED'")).toBe(true);
    expect(matches(run, "status != 'RUNNING'")).toBe(true);
    expect(matches(run, "artifact_uri LIKE 'file:///tmp/%'")).toBe(true);
    expect(matches(run, "lifecycle_stage = 'active'")).toBe(true);
    expect(matches(run, 'start_time = 5000 AND created >= 5000')).toBe(true);
    expect(matches(run, 'end_time > 8999')).toBe(true);
  });

  it('never matches a missing end_time', () => {
    const running = makeRun({ id: 'r3', status: 'RUNNING' });
    expect(matches(running, 'end_time > 0')).toBe(false);
    expect(matches(running, 'end_time != 0')).toBe(false);
  });

  it('filters run_id with IN and NOT IN', () => {
    expect(matches(run, "run_id IN ('r0', 'r1')")).toBe(true);
    expect(matches(run, "run_id IN ('r0')")).toBe(false);
    expect(matches(run, "run_id NOT IN ('r0')")).toBe(true);
    expect(matches(run, "run_id NOT IN ('r1', 'r2')")).toBe(false);
  });

  it('matches dataset clauses when any input satisfies them', () => {
    expect(matches(run, "datasets.name = 'cifar'")).toBe(true);
    expect(matches(run, "datasets.name = 'imagenet'")).toBe(false);
    expect(matches(run, "datasets.digest IN ('zzz', 'abc123')")).toBe(true);
    expect(matches(run, "datasets.name NOT IN ('mnist')")).toBe(true);
    expect(matches(run, "dataset.name LIKE 'mn%'")).toBe(true);
    expect(matches(run, "datasets.context = 'training'")).toBe(true);
    expect(matches(run, "datasets.context ILIKE 'EVAL'")).toBe(true);
    expect(matches(run, "datasets.context = 'test'")).toBe(false);
  });

  it('never matches dataset clauses on a run without inputs', () => {
    const bare = makeRun({ id: 'r4' });
    expect(matches(bare, "datasets.name != 'x'")).toBe(false);
    expect(matches(bare, "datasets.context NOT IN ('x')")).toBe(false);
  });

  it('reads the latest metric point when several are present', () => {
    const history = makeRun({ id: 'r5' });
    history.data.metrics = [
      { key: 'm', value: 1, timestamp: 10, step: 2 },
      { key: 'm', value: 5, timestamp: 99, step: 1 },
    ];
    expect(matches(history, 'metrics.m = 1')).toBe(true);
  });
});

describe('compareRuns', () => {
  const a = makeRun({ id: 'a', start: 100, metrics: { acc: 0.5 }, params: { p: 'x' } });
  const b = makeRun({ id: 'b', start: 300, metrics: { acc: Number.NaN }, params: { p: 'y' } });
  const c = makeRun({ id: 'c', start: 200, metrics: { acc: 0.9 } });
  const d = makeRun({ id: 'd', start: 400 });
  const e = makeRun({ id: 'e', start: 200, metrics: { acc: 0.1 }, params: { p: 'x' } });

  it('defaults to start_time DESC then run_id ASC', () => {
    expect(sortRuns([a, b, c, d, e], [])).toEqual(['d', 'b', 'c', 'e', 'a']);
  });

  it('sorts ascending with NaN then missing last', () => {
    expect(sortRuns([a, b, c, d, e], ['metrics.acc'])).toEqual(['e', 'a', 'c', 'b', 'd']);
  });

  it('sorts descending with NaN then missing still last', () => {
    expect(sortRuns([a, b, c, d, e], ['metrics.acc DESC'])).toEqual(['c', 'a', 'e', 'b', 'd']);
  });

  it('breaks ties with start_time DESC, run_id ASC after the user clauses', () => {
    // a and e share p = 'x'; e started later so it comes first.
    expect(sortRuns([a, b, c, d, e], ['params.p'])).toEqual(['e', 'a', 'b', 'd', 'c']);
    const twin1 = makeRun({ id: 'z', start: 1 });
    const twin2 = makeRun({ id: 'y', start: 1 });
    expect(sortRuns([twin1, twin2], ['params.none DESC'])).toEqual(['y', 'z']);
  });

  it('applies several clauses in order', () => {
    expect(sortRuns([a, b, c, d, e], ['params.p DESC', 'metrics.acc DESC'])).toEqual([
      'b',
      'a',
      'e',
      'c',
      'd',
    ]);
  });

  it('orders strings by code unit, not locale', () => {
    const upper = makeRun({ id: 'u', name: 'Zeta' });
    const lower = makeRun({ id: 'l', name: 'alpha' });
    expect(sortRuns([lower, upper], ['run_name'])).toEqual(['u', 'l']);
  });

  it('orders by numeric attributes with missing end_time last both ways', () => {
    const ended = makeRun({ id: 'x1', end: 50 });
    const later = makeRun({ id: 'x2', end: 70 });
    const open = makeRun({ id: 'x3' });
    expect(sortRuns([open, later, ended], ['end_time'])).toEqual(['x1', 'x2', 'x3']);
    expect(sortRuns([open, ended, later], ['end_time DESC'])).toEqual(['x2', 'x1', 'x3']);
  });

  it('returns 0 only for the same run', () => {
    expect(compareRuns(a, a, [])).toBe(0);
    expect(compareRuns(a, e, [])).not.toBe(0);
  });
});

function makeExperiment(
  id: string,
  name: string,
  created?: number,
  updated?: number,
  tags: Record<string, string> = {},
): Experiment {
  return {
    experiment_id: id,
    name,
    artifact_location: `file:///tmp/${id}`,
    lifecycle_stage: 'active',
    ...(created === undefined ? {} : { creation_time: created }),
    ...(updated === undefined ? {} : { last_update_time: updated }),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}

describe('matchesExperiment and compareExperiments', () => {
  const experiments = [
    makeExperiment('0', 'Default', 10, 10),
    makeExperiment('2', 'fraud-v2', 30, 40, { owner: 'ann' }),
    makeExperiment('10', 'fraud-v10', 30, 35, { owner: 'bob' }),
    makeExperiment('3', 'churn', undefined, 5),
  ];

  function filterNames(filter: string): string[] {
    const parsed = parseSearchFilter(filter, 'experiments');
    return experiments
      .filter((experiment) => matchesExperiment(experiment, parsed))
      .map((experiment) => experiment.name);
  }

  function sortIds(orderBy: string[]): string[] {
    const clauses = parseOrderBy(orderBy, 'experiments');
    return [...experiments]
      .sort((left, right) => compareExperiments(left, right, clauses))
      .map((item) => item.experiment_id);
  }

  it('filters on name, times and tags', () => {
    expect(filterNames("name LIKE 'fraud%'")).toEqual(['fraud-v2', 'fraud-v10']);
    expect(filterNames("name ILIKE 'DEFAULT'")).toEqual(['Default']);
    expect(filterNames("name != 'Default'")).toEqual(['fraud-v2', 'fraud-v10', 'churn']);
    expect(filterNames('creation_time >= 30')).toEqual(['fraud-v2', 'fraud-v10']);
    expect(filterNames('creation_time < 100')).toEqual(['Default', 'fraud-v2', 'fraud-v10']);
    expect(filterNames("tags.owner = 'bob'")).toEqual(['fraud-v10']);
    expect(filterNames('tags.owner IS NULL')).toEqual(['Default', 'churn']);
    expect(filterNames('tags.owner IS NOT NULL AND last_update_time > 36')).toEqual(['fraud-v2']);
  });

  it('defaults to creation_time DESC, experiment_id ASC (numeric), missing last', () => {
    expect(sortIds([])).toEqual(['2', '10', '0', '3']);
  });

  it('appends experiment_id ASC to user clauses', () => {
    expect(sortIds(['creation_time'])).toEqual(['0', '2', '10', '3']);
    expect(sortIds(['name'])).toEqual(['0', '3', '10', '2']);
  });

  it('orders experiment ids numerically, even past 2^53', () => {
    const big = [
      makeExperiment('123456789012345678', 'b'),
      makeExperiment('123456789012345677', 'a'),
      makeExperiment('9', 'c'),
    ];
    const clauses = parseOrderBy(['experiment_id'], 'experiments');
    expect(
      big.sort((left, right) => compareExperiments(left, right, clauses)).map((item) => item.name),
    ).toEqual(['c', 'a', 'b']);
  });

  it('honours experiment_id DESC without adding another tiebreak', () => {
    expect(sortIds(['experiment_id DESC'])).toEqual(['10', '3', '2', '0']);
  });
});
