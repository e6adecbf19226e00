import type { SearchExperimentsInput } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { type TrackingSuiteContext, uniqueName } from './tracking-context.js';

/** Search experiments: view types, filters on name, times and tags, ordering. */
export function searchExperimentsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  /** Three experiments sharing a unique prefix: <p>-apple (tag fruit=red), <p>-banana (fruit=yellow), <p>-cherry. */
  async function fixture() {
    const prefix = uniqueName('fx');
    const apple = await store().createExperiment({
      name: `${prefix}-apple`,
      tags: [{ key: 'fruit', value: 'red' }],
    });
    const banana = await store().createExperiment({
      name: `${prefix}-banana`,
      tags: [{ key: 'fruit', value: 'yellow' }],
    });
    const cherry = await store().createExperiment({ name: `${prefix}-Cherry` });
    const names = async (input: SearchExperimentsInput = {}) => {
      const filter = [`name LIKE '${prefix}-%'`, input.filter].filter(Boolean).join(' AND ');
      const page = await store().searchExperiments({ ...input, filter });
      return page.items.map((experiment) => experiment.name.slice(prefix.length + 1));
    };
    return { prefix, ids: { apple, banana, cherry }, names };
  }

  it('lists active experiments including Default', async () => {
    const { ids } = await fixture();
    const page = await store().searchExperiments({});
    const found = page.items.map((experiment) => experiment.experiment_id);
    expect(found).toEqual(expect.arrayContaining(['0', ids.apple, ids.banana, ids.cherry]));
  });

  it('returns only active experiments by default, and DELETED_ONLY or ALL on request', async () => {
    const { ids, names } = await fixture();
    await store().deleteExperiment(ids.banana);
    expect((await names()).sort()).toEqual(['Cherry', 'apple']);
    expect(await names({ viewType: 'DELETED_ONLY' })).toEqual(['banana']);
    expect((await names({ viewType: 'ALL' })).sort()).toEqual(['Cherry', 'apple', 'banana']);
  });

  it.each([
    ["name = '<p>-apple'", ['apple']],
    ["name != '<p>-apple'", ['Cherry', 'banana']],
    // Anchored after the prefix: the random prefix itself may contain 'an'.
    ["name LIKE '<p>-%an%'", ['banana']],
    ["name LIKE '%cherry'", []],
    ["name ILIKE '%cherry'", ['Cherry']],
    ["tags.fruit = 'red'", ['apple']],
    ["tags.fruit != 'red'", ['banana']],
    ["tags.fruit LIKE '%ell%'", ['banana']],
    ["tags.fruit ILIKE 'RED'", ['apple']],
    ['creation_time >= 0', ['Cherry', 'apple', 'banana']],
    ['last_update_time < 0', []],
  ])('filters by %s', async (filter, expected) => {
    const { prefix, names } = await fixture();
    expect((await names({ filter: filter.replace('<p>', prefix) })).sort()).toEqual(expected);
  });

  it('orders by name ASC and DESC', async () => {
    const { names } = await fixture();
    expect(await names({ orderBy: ['name ASC'] })).toEqual(['Cherry', 'apple', 'banana']);
    expect(await names({ orderBy: ['name DESC'] })).toEqual(['banana', 'apple', 'Cherry']);
  });

  it('orders by creation_time DESC by default, ties by experiment_id ASC', async () => {
    const { names, ids } = await fixture();
    const page = await store().searchExperiments({ filter: "name LIKE '%'" });
    const created = page.items.map((experiment) => experiment.creation_time ?? 0);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(await names()).toHaveLength(3);
    const ours = page.items.filter((experiment) => Object.values(ids).includes(experiment.experiment_id));
    for (let index = 1; index < ours.length; index += 1) {
      const [previous, current] = [ours[index - 1], ours[index]];
      if (previous?.creation_time === current?.creation_time) {
        expect(Number(previous?.experiment_id)).toBeLessThan(Number(current?.experiment_id));
      }
    }
  });

  it('orders by experiment_id numerically', async () => {
    const { ids, names } = await fixture();
    // Ids need not grow with creation (MLflow's FileStore draws them at random), so the expected order
    // comes from the ids themselves, compared as numbers.
    const byId = (Object.entries(ids) as [string, string][])
      .sort(([, left], [, right]) => (BigInt(left) < BigInt(right) ? -1 : 1))
      .map(([name]) => (name === 'cherry' ? 'Cherry' : name));
    expect(await names({ orderBy: ['experiment_id ASC'] })).toEqual(byId);
    expect(await names({ orderBy: ['experiment_id DESC'] })).toEqual([...byId].reverse());
  });

  it('finds an experiment by its new name after a rename', async () => {
    const { ids, prefix, names } = await fixture();
    await store().renameExperiment(ids.cherry, `${prefix}-date`);
    expect((await names()).sort()).toEqual(['apple', 'banana', 'date']);
  });

  it.each(["params.x = 'y'", 'metrics.x > 1', 'name = ', "unknown = 'x'", "name = 'a' OR name = 'b'"])(
    'rejects the filter %s with INVALID_PARAMETER_VALUE',
    async (filter) => {
      await expectCairnError(store().searchExperiments({ filter }), 'INVALID_PARAMETER_VALUE');
    },
  );

  it.each([['nonsense ASC'], ['metrics.acc DESC']])(
    'rejects the order_by %j with INVALID_PARAMETER_VALUE',
    async (clause) => {
      await expectCairnError(store().searchExperiments({ orderBy: [clause] }), 'INVALID_PARAMETER_VALUE');
    },
  );

  it.each([0, 50001])('rejects maxResults %s with INVALID_PARAMETER_VALUE', async (maxResults) => {
    await expectCairnError(store().searchExperiments({ maxResults }), 'INVALID_PARAMETER_VALUE');
  });
}
