import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { createSearchFixture } from './search-fixtures.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

/** [order_by, run names in order] over the search fixture. */
const orders: [string[], string[]][] = [
  [[], ['gamma', 'beta', 'alpha']],
  [['attributes.start_time ASC'], ['alpha', 'beta', 'gamma']],
  [['start_time DESC'], ['gamma', 'beta', 'alpha']],
  [['metrics.acc DESC'], ['alpha', 'beta', 'gamma']],
  [['metrics.acc ASC'], ['beta', 'alpha', 'gamma']],
  [['metrics.acc'], ['beta', 'alpha', 'gamma']],
  [['params.lr ASC'], ['beta', 'alpha', 'gamma']],
  [['params.lr DESC'], ['alpha', 'beta', 'gamma']],
  [['tags.stage ASC'], ['beta', 'alpha', 'gamma']],
  [['attributes.run_name DESC'], ['gamma', 'beta', 'alpha']],
  [
    ['metrics.loss ASC', 'attributes.start_time ASC'],
    ['alpha', 'gamma', 'beta'],
  ],
  [
    ['attributes.user_id ASC', 'attributes.run_name DESC'],
    ['gamma', 'alpha', 'beta'],
  ],
];

/** Search runs: ordering, ties, missing values, page sizes. */
export function searchRunsOrderSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it.each(orders)('orders by %j', async (orderBy, expected) => {
    const fixture = await createSearchFixture(context);
    expect(await fixture.names({ orderBy })).toEqual(expected);
  });

  it('puts runs missing the sort key last in both directions', async () => {
    const fixture = await createSearchFixture(context);
    expect((await fixture.names({ orderBy: ['metrics.acc ASC'] })).at(-1)).toBe('gamma');
    expect((await fixture.names({ orderBy: ['metrics.acc DESC'] })).at(-1)).toBe('gamma');
    expect((await fixture.names({ orderBy: ['tags.stage DESC'] })).at(-1)).toBe('gamma');
  });

  it('puts NaN after every number in both directions', async () => {
    const experimentId = await context.createExperiment();
    const values = [1, Number.NaN, 3, Number.NEGATIVE_INFINITY];
    for (const [index, value] of values.entries()) {
      const run = await context.createRun({ experimentId, runName: `v${index}`, startTime: 1000 + index });
      await store().logBatch({ runId: run.info.run_id, metrics: [metric('score', value)] });
    }
    const order = async (direction: string) =>
      (
        await store().searchRuns({ experimentIds: [experimentId], orderBy: [`metrics.score ${direction}`] })
      ).items.map((run) => run.info.run_name);
    expect(await order('ASC')).toEqual(['v3', 'v0', 'v2', 'v1']);
    expect(await order('DESC')).toEqual(['v2', 'v0', 'v3', 'v1']);
  });

  it('breaks ties by start_time DESC, then run_id ASC', async () => {
    const experimentId = await context.createExperiment();
    const runs = [];
    for (const startTime of [5000, 7000, 7000, 6000]) {
      const run = await context.createRun({ experimentId, startTime });
      await store().logBatch({ runId: run.info.run_id, metrics: [metric('same', 1)] });
      runs.push(run.info);
    }
    const tied = runs
      .filter((info) => info.start_time === 7000)
      .map((info) => info.run_id)
      .sort();
    const expected = [...tied, runs[3]?.run_id, runs[0]?.run_id];
    for (const orderBy of [['metrics.same ASC'], ['metrics.same DESC'], []]) {
      const page = await store().searchRuns({ experimentIds: [experimentId], orderBy });
      expect(page.items.map((run) => run.info.run_id)).toEqual(expected);
    }
  });

  it.each([
    ['metrics.acc SIDEWAYS'],
    ['unknown.acc ASC'],
    ['datasets.name ASC'],
    ['metrics.acc ASC DESC'],
    [''],
  ])('rejects the order_by %j with INVALID_PARAMETER_VALUE', async (clause) => {
    const experimentId = await context.createExperiment();
    await expectCairnError(
      store().searchRuns({ experimentIds: [experimentId], orderBy: [clause] }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it.each([0, -1, 50001, 2.5])('rejects maxResults %s with INVALID_PARAMETER_VALUE', async (maxResults) => {
    const experimentId = await context.createExperiment();
    await expectCairnError(
      store().searchRuns({ experimentIds: [experimentId], maxResults }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('accepts maxResults 50000', async () => {
    const fixture = await createSearchFixture(context);
    expect(await fixture.names({ maxResults: 50000 })).toHaveLength(3);
  });

  it('returns at most maxResults runs, with a token for the rest', async () => {
    const fixture = await createSearchFixture(context);
    const page = await store().searchRuns({ experimentIds: [fixture.experimentId], maxResults: 2 });
    expect(page.items.map((run) => run.info.run_name)).toEqual(['gamma', 'beta']);
    expect(page.nextPageToken).toBeDefined();
  });
}
