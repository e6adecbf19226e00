import { describe, expect, it } from 'vitest';
import type { Experiment, Run } from '../entities/tracking.js';
import { CairnError } from '../errors.js';
import {
  type InMemorySearchInput,
  searchExperimentsInMemory,
  searchRunsInMemory,
} from './search-in-memory.js';

function makeRun(id: string, start: number, metrics: Record<string, number> = {}): Run {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: `run-${id}`,
      experiment_id: '1',
      user_id: 'alice',
      status: 'FINISHED',
      start_time: start,
      artifact_uri: `file:///tmp/${id}`,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: [],
      tags: [],
    },
    inputs: { dataset_inputs: [] },
  };
}

function makeExperiment(id: string, created: number): Experiment {
  return {
    experiment_id: id,
    name: `exp-${id}`,
    artifact_location: `/tmp/${id}`,
    lifecycle_stage: 'active',
    creation_time: created,
    tags: [],
  };
}

function ids(runs: readonly Run[]): string[] {
  return runs.map((run) => run.info.run_id);
}

/** Reads every page, optionally mutating the store between calls. */
function readAll(
  store: Run[],
  input: InMemorySearchInput,
  betweenPages?: (page: number) => void,
): string[][] {
  const pages: string[][] = [];
  let pageToken: string | undefined;
  for (;;) {
    const page = searchRunsInMemory(store, { ...input, ...(pageToken === undefined ? {} : { pageToken }) });
    pages.push(ids(page.items));
    if (page.nextPageToken === undefined) return pages;
    pageToken = page.nextPageToken;
    betweenPages?.(pages.length);
    if (pages.length > 100) throw new Error('paging does not terminate');
  }
}

function failure(run: () => unknown): CairnError {
  try {
    run();
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

const runs = [
  makeRun('a', 100, { acc: 0.1 }),
  makeRun('b', 200, { acc: 0.9 }),
  makeRun('c', 300, { acc: Number.NaN }),
  makeRun('d', 400),
  makeRun('e', 500, { acc: 0.5 }),
];

describe('searchRunsInMemory', () => {
  it('filters and orders with the default order', () => {
    const page = searchRunsInMemory(runs, { filter: 'metrics.acc >= 0.1' });
    expect(ids(page.items)).toEqual(['e', 'b', 'a']);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('orders by the given clauses', () => {
    expect(ids(searchRunsInMemory(runs, { orderBy: ['metrics.acc DESC'] }).items)).toEqual([
      'b',
      'e',
      'a',
      'c',
      'd',
    ]);
  });

  it('accepts any iterable', () => {
    const set = new Set(runs);
    expect(searchRunsInMemory(set.values(), {}).items).toHaveLength(5);
  });

  it('returns an empty page without a token when nothing matches', () => {
    expect(searchRunsInMemory(runs, { filter: 'metrics.acc > 5' })).toEqual({ items: [] });
  });

  it('omits nextPageToken when the page ends exactly at the last item', () => {
    const page = searchRunsInMemory(runs, { maxResults: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('pages through every run exactly once, NaN and missing included', () => {
    expect(readAll(runs, { maxResults: 2, orderBy: ['metrics.acc'] })).toEqual([
      ['a', 'e'],
      ['b', 'c'],
      ['d'],
    ]);
  });

  it('neither repeats nor skips runs when runs are inserted between pages', () => {
    const store = [...runs];
    const pages = readAll(store, { maxResults: 2 }, (page) => {
      // One newer run (sorts before the cursor) and one older run (sorts after it) per page.
      store.push(makeRun(`new${page}`, 1000 + page), makeRun(`old${page}`, page));
    });
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 5)).toEqual(['e', 'd', 'c', 'b', 'a']);
    for (const id of ['old1', 'old2']) expect(seen).toContain(id);
  });

  it('neither repeats nor skips runs when a run is inserted with the same sort value', () => {
    const store = [makeRun('m', 10), makeRun('o', 10), makeRun('q', 10)];
    const first = searchRunsInMemory(store, { maxResults: 2 });
    expect(ids(first.items)).toEqual(['m', 'o']);
    store.push(makeRun('n', 10), makeRun('p', 10));
    const second = searchRunsInMemory(store, {
      maxResults: 2,
      ...(first.nextPageToken ? { pageToken: first.nextPageToken } : {}),
    });
    expect(ids(second.items)).toEqual(['p', 'q']);
  });

  it('keeps paging when the last returned run is deleted', () => {
    const store = [...runs];
    const first = searchRunsInMemory(store, { maxResults: 2 });
    store.splice(
      store.findIndex((run) => run.info.run_id === 'd'),
      1,
    );
    const second = searchRunsInMemory(store, { maxResults: 2, pageToken: first.nextPageToken as string });
    expect(ids(second.items)).toEqual(['c', 'b']);
  });

  it('refuses a token used with another filter, order or scope', () => {
    const token = searchRunsInMemory(runs, { maxResults: 1, scope: 'exp=1' }).nextPageToken as string;
    expect(searchRunsInMemory(runs, { maxResults: 1, scope: 'exp=1', pageToken: token }).items).toHaveLength(
      1,
    );
    for (const input of [
      { filter: 'metrics.acc > 0' },
      { orderBy: ['start_time'] },
      { scope: 'exp=2' },
      {},
    ]) {
      const error = failure(() => searchRunsInMemory(runs, { maxResults: 1, pageToken: token, ...input }));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(/^Invalid page token/);
    }
  });

  it('refuses a run token in an experiment search', () => {
    const token = searchRunsInMemory(runs, { maxResults: 1 }).nextPageToken as string;
    expect(() => searchExperimentsInMemory([], { pageToken: token })).toThrow(/Invalid page token/);
  });

  it('validates max_results against the runs limit', () => {
    expect(searchRunsInMemory(runs, { maxResults: 50000 }).items).toHaveLength(5);
    for (const maxResults of [0, -1, 50001, 1.5]) {
      const error = failure(() => searchRunsInMemory(runs, { maxResults }));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toContain('max_results');
      expect(error.message).toContain('50000');
      expect(error.details).toMatchObject({ field: 'max_results', limit: 50000 });
    }
  });

  it('defaults max_results to 1000', () => {
    const many = Array.from({ length: 1001 }, (_, index) =>
      makeRun(`r${String(index).padStart(4, '0')}`, index),
    );
    const page = searchRunsInMemory(many, {});
    expect(page.items).toHaveLength(1000);
    expect(page.nextPageToken).toBeDefined();
    const rest = searchRunsInMemory(many, { pageToken: page.nextPageToken as string });
    expect(ids(rest.items)).toEqual(['r0000']);
  });

  it('reports a bad filter even on an empty store', () => {
    expect(() => searchRunsInMemory([], { filter: 'metrics.a > 1 OR metrics.b > 1' })).toThrow(/position 14/);
    expect(() => searchRunsInMemory([], { orderBy: ['metrics.a sideways'] })).toThrow(/ASC or DESC/);
  });
});

describe('searchExperimentsInMemory', () => {
  const experiments = [
    makeExperiment('1', 10),
    makeExperiment('2', 30),
    makeExperiment('3', 20),
    makeExperiment('10', 30),
  ];

  it('defaults to creation_time DESC, experiment_id ASC and filters', () => {
    expect(searchExperimentsInMemory(experiments, {}).items.map((item) => item.experiment_id)).toEqual([
      '2',
      '10',
      '3',
      '1',
    ]);
    expect(
      searchExperimentsInMemory(experiments, { filter: "name LIKE 'exp-1%'" }).items.map(
        (item) => item.experiment_id,
      ),
    ).toEqual(['10', '1']);
  });

  it('pages with keyset tokens, including experiments created between pages', () => {
    const store = [...experiments];
    const first = searchExperimentsInMemory(store, { maxResults: 2, orderBy: ['name'] });
    expect(first.items.map((item) => item.name)).toEqual(['exp-1', 'exp-10']);
    store.push(makeExperiment('0', 5), makeExperiment('4', 5));
    const second = searchExperimentsInMemory(store, {
      maxResults: 2,
      orderBy: ['name'],
      pageToken: first.nextPageToken as string,
    });
    expect(second.items.map((item) => item.name)).toEqual(['exp-2', 'exp-3']);
    const third = searchExperimentsInMemory(store, {
      maxResults: 2,
      orderBy: ['name'],
      pageToken: second.nextPageToken as string,
    });
    expect(third.items.map((item) => item.name)).toEqual(['exp-4']);
    expect(third.nextPageToken).toBeUndefined();
  });

  it('validates max_results against the experiments limit', () => {
    expect(() => searchExperimentsInMemory(experiments, { maxResults: 50001 })).toThrow(/max_results.*50000/);
  });
});
