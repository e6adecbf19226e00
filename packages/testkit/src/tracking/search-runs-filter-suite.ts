import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { createSearchFixture, type SearchFixture, sorted } from './search-fixtures.js';
import type { TrackingSuiteContext } from './tracking-context.js';

type Ids = SearchFixture['ids'];

/** [filter, names of the matching runs]; a function builds filters that need the run ids. */
const filters: [string, string | ((ids: Ids) => string), string[]][] = [
  ['metric =', 'metrics.acc = 0.9', ['alpha']],
  ['metric != (missing never matches)', 'metrics.acc != 0.9', ['beta']],
  ['metric >', 'metrics.acc > 0.7', ['alpha']],
  ['metric >=', 'metrics.acc >= 0.7', ['alpha', 'beta']],
  ['metric <', 'metrics.acc < 0.9', ['beta']],
  ['metric <=', 'metrics.loss <= 0.5', ['alpha', 'gamma']],
  ['metric with a quoted key', 'metrics.`my metric` > 0', ['alpha']],
  ['param =', "params.lr = '0.1'", ['alpha']],
  ['param !=', "params.lr != '0.1'", ['beta']],
  ['param LIKE (case-sensitive)', "params.model LIKE 'cnn%'", ['alpha']],
  ['param ILIKE', "params.model ILIKE 'cnn%'", ['alpha', 'gamma']],
  ['param with a lower-case comparator', "params.model like 'c_n'", ['alpha']],
  ['param with the "parameter" prefix', "parameter.model = 'rnn'", ['beta']],
  ['tag =', "tags.stage = 'prod'", ['alpha']],
  ['tag !=', "tags.stage != 'prod'", ['beta']],
  ['tag LIKE', "tags.team LIKE 'Vis%'", ['alpha']],
  ['tag ILIKE with _', "tags.team ILIKE 'vis_on'", ['alpha']],
  ['run_name =', "attributes.run_name = 'beta'", ['beta']],
  ['run_name !=', "attributes.run_name != 'beta'", ['alpha', 'gamma']],
  ['run_name LIKE', "attributes.run_name LIKE '%mm%'", ['gamma']],
  ['run_name ILIKE', "attributes.run_name ILIKE 'ALP%'", ['alpha']],
  ['status =', "attributes.status = 'FAILED'", ['gamma']],
  ['status !=', "attributes.status != 'RUNNING'", ['alpha', 'gamma']],
  ['user_id =', "attributes.user_id = 'ana'", ['alpha', 'gamma']],
  ['start_time >', 'attributes.start_time > 1500', ['beta', 'gamma']],
  ['start_time <=', 'attributes.start_time <= 2000', ['alpha', 'beta']],
  ['the created alias', 'attributes.created >= 2000', ['beta', 'gamma']],
  ['end_time < (unset never matches)', 'attributes.end_time < 4500', ['gamma']],
  ['run_id =', (ids) => `attributes.run_id = '${ids.beta}'`, ['beta']],
  ['run_id IN', (ids) => `attributes.run_id IN ('${ids.alpha}', '${ids.gamma}')`, ['alpha', 'gamma']],
  ['run_id NOT IN', (ids) => `attributes.run_id NOT IN ('${ids.alpha}')`, ['beta', 'gamma']],
  ['artifact_uri LIKE', (ids) => `attributes.artifact_uri LIKE '%${ids.alpha}%'`, ['alpha']],
  ['dataset name =', "datasets.name = 'train'", ['alpha']],
  ['dataset name != (no datasets never matches)', "datasets.name != 'train'", ['beta']],
  ['dataset name LIKE', "datasets.name LIKE 'ev%'", ['beta']],
  ['dataset digest IN', "datasets.digest IN ('d1', 'd2')", ['alpha', 'beta']],
  ['dataset context =', "datasets.context = 'evaluation'", ['beta']],
  ['AND across entities', "metrics.acc > 0.5 AND params.model = 'rnn'", ['beta']],
  ['AND with no match', "metrics.acc > 0.8 AND tags.stage = 'dev'", []],
  ['a missing key', "params.nonexistent = 'x'", []],
];

const badFilters = [
  'metrics.acc >',
  'unknown.acc = 1',
  "metrics.acc = 'high'",
  "params.lr > '0.1'",
  'metrics.acc > 0.1 OR metrics.loss < 1',
  '(metrics.acc > 0.1)',
  "attributes.nonexistent = 'x'",
  "tags.stage IN ('prod')",
  "params.lr = '0.1' AND",
  "params.lr = '0.1",
];

/** Search runs: every operator on metrics, params, tags, attributes and datasets; bad filters. */
export function searchRunsFilterSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('returns every run of the experiment without a filter', async () => {
    const fixture = await createSearchFixture(context);
    expect(sorted(await fixture.names())).toEqual(['alpha', 'beta', 'gamma']);
  });

  it.each(filters)('filters by %s', async (_what, filter, expected) => {
    const fixture = await createSearchFixture(context);
    const text = typeof filter === 'function' ? filter(fixture.ids) : filter;
    expect(sorted(await fixture.names({ filter: text }))).toEqual(expected);
  });

  it('returns runs with their latest metrics, params, tags and inputs', async () => {
    const fixture = await createSearchFixture(context);
    const page = await store().searchRuns({
      experimentIds: [fixture.experimentId],
      filter: "attributes.run_name = 'alpha'",
    });
    const run = page.items[0];
    expect(run?.data.metrics).toContainEqual(expect.objectContaining({ key: 'acc', value: 0.9 }));
    expect(run?.data.params).toContainEqual({ key: 'lr', value: '0.1' });
    expect(run?.data.tags).toContainEqual({ key: 'stage', value: 'prod' });
    expect(run?.inputs.dataset_inputs.map((input) => input.dataset.name)).toEqual(['train']);
  });

  it('matches the latest value of a metric, not an older one', async () => {
    const { run_id: runId, experiment_id: experimentId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [
        { key: 'acc', value: 0.1, timestamp: 1, step: 0 },
        { key: 'acc', value: 0.8, timestamp: 2, step: 1 },
      ],
    });
    const names = async (filter: string) =>
      (await store().searchRuns({ experimentIds: [experimentId], filter })).items.length;
    expect(await names('metrics.acc = 0.8')).toBe(1);
    expect(await names('metrics.acc = 0.1')).toBe(0);
  });

  it.each(badFilters)('rejects the filter %s with INVALID_PARAMETER_VALUE', async (filter) => {
    const experimentId = await context.createExperiment();
    await expectCairnError(
      store().searchRuns({ experimentIds: [experimentId], filter }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('returns only ACTIVE runs by default, and DELETED_ONLY or ALL on request', async () => {
    const fixture = await createSearchFixture(context);
    await store().deleteRun(fixture.ids.beta);
    expect(sorted(await fixture.names())).toEqual(['alpha', 'gamma']);
    expect(sorted(await fixture.names({ runViewType: 'ACTIVE_ONLY' }))).toEqual(['alpha', 'gamma']);
    expect(await fixture.names({ runViewType: 'DELETED_ONLY' })).toEqual(['beta']);
    expect(sorted(await fixture.names({ runViewType: 'ALL' }))).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('returns the runs of a deleted experiment only when deleted runs are asked for', async () => {
    const fixture = await createSearchFixture(context);
    await store().deleteExperiment(fixture.experimentId);
    expect(await fixture.names()).toEqual([]);
    expect(sorted(await fixture.names({ runViewType: 'DELETED_ONLY' }))).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('searches only the experiments asked for, and their union', async () => {
    const fixture = await createSearchFixture(context);
    const otherExperiment = await context.createExperiment();
    const other = await context.createRun({ experimentId: otherExperiment, runName: 'other' });
    const only = await store().searchRuns({ experimentIds: [otherExperiment] });
    expect(only.items.map((run) => run.info.run_id)).toEqual([other.info.run_id]);
    const both = await store().searchRuns({ experimentIds: [fixture.experimentId, otherExperiment] });
    expect(both.items).toHaveLength(4);
  });

  it('returns nothing for an experiment without runs', async () => {
    const experimentId = await context.createExperiment();
    const page = await store().searchRuns({ experimentIds: [experimentId] });
    expect(page.items).toEqual([]);
    expect(page.nextPageToken).toBeUndefined();
  });
}
