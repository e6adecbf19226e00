import type { Run, TrackingStore } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { datasetInput, metric, type TrackingSuiteContext, uniqueName } from './tracking-context.js';

const unknownExperimentId = '987654321';
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A run with a param, two metric points, a tag and a dataset input, so a purge has something to remove. */
async function populatedRun(store: TrackingStore, experimentId: string): Promise<Run> {
  const run = await store.createRun({ experimentId });
  await store.logBatch({
    runId: run.info.run_id,
    params: [{ key: 'p', value: '1' }],
    metrics: [metric('m', 1, 1000, 0), metric('m', 2, 2000, 1)],
    tags: [{ key: 't', value: 'v' }],
  });
  await store.logInputs({ runId: run.info.run_id, datasets: [datasetInput('shared', 'abc', 'train')] });
  return store.getRun(run.info.run_id);
}

/** Everything a reader sees of a run, to compare before and after. */
async function snapshot(store: TrackingStore, runId: string) {
  const run = await store.getRun(runId);
  const history = await store.getMetricHistory({ runId, metricKey: 'm' });
  return { run, history: history.items };
}

const deletedIds = async (store: TrackingStore, experimentIds?: string[]) =>
  (await store.listDeletedRuns(experimentIds === undefined ? {} : { experimentIds }))
    .map((run) => run.info.run_id)
    .sort();

/** Deletion times and permanent removal: what garbage collection (`cairn gc`) relies on. */
export function purgeSuite(context: TrackingSuiteContext): void {
  const { store } = context;
  /** Skips the test (with the reason) where the store declares it cannot purge experiments. */
  const needsPurge = (test: { skip: (note?: string) => void }) => {
    // Reason: a store that declares it cannot purge (the REST store: MLflow's API has no purge) is checked
    // by the NOT_IMPLEMENTED case below instead.
    if (!store().capabilities.purgeExperiments) test.skip('capabilities.purgeExperiments is false');
  };

  it('records when a run was deleted and forgets it on restore', async () => {
    const experimentId = await context.createExperiment();
    const run = await context.createRun({ experimentId });
    const active = await context.createRun({ experimentId });
    const before = Date.now();
    await store().deleteRun(run.info.run_id);
    const after = Date.now();
    const listed = (await store().listDeletedRuns({ experimentIds: [experimentId] })).find(
      (entry) => entry.info.run_id === run.info.run_id,
    );
    expect(listed?.info).toMatchObject({ run_id: run.info.run_id, experiment_id: experimentId });
    expect(listed?.info.lifecycle_stage).toBe('deleted');
    expect(listed?.deletedTime).toBeGreaterThanOrEqual(before - 1);
    expect(listed?.deletedTime).toBeLessThanOrEqual(after + 1);
    expect(await deletedIds(store(), [experimentId])).not.toContain(active.info.run_id);

    await store().restoreRun(run.info.run_id);
    expect(await deletedIds(store(), [experimentId])).toEqual([]);
    await pause();
    const again = Date.now();
    await store().deleteRun(run.info.run_id);
    const relisted = await store().listDeletedRuns({ experimentIds: [experimentId] });
    expect(relisted).toHaveLength(1);
    expect(relisted[0]?.deletedTime).toBeGreaterThanOrEqual(again - 1);
  });

  it('lists deleted runs of every experiment, or only of those asked for (unknown ids find nothing)', async () => {
    const first = await context.createExperiment();
    const second = await context.createExperiment();
    const a = await context.createRun({ experimentId: first });
    const b = await context.createRun({ experimentId: second });
    await store().deleteRun(a.info.run_id);
    await store().deleteRun(b.info.run_id);
    expect(await deletedIds(store(), [first])).toEqual([a.info.run_id]);
    expect(await deletedIds(store(), [first, second, unknownExperimentId])).toEqual(
      [a.info.run_id, b.info.run_id].sort(),
    );
    expect(await deletedIds(store(), [unknownExperimentId])).toEqual([]);
    expect(await deletedIds(store())).toEqual(expect.arrayContaining([a.info.run_id, b.info.run_id]));
  });

  it("stamps the runs an experiment's deletion takes with its time, keeps earlier deletions' times, and clears them on restore", async () => {
    const experimentId = await context.createExperiment();
    const early = await context.createRun({ experimentId });
    const withExperiment = await context.createRun({ experimentId });
    await store().deleteRun(early.info.run_id);
    const earlyTime = (await store().listDeletedRuns({ experimentIds: [experimentId] }))[0]?.deletedTime;
    await pause();
    await store().deleteExperiment(experimentId);
    const experiment = await store().getExperiment(experimentId);
    const times = new Map(
      (await store().listDeletedRuns({ experimentIds: [experimentId] })).map((run) => [
        run.info.run_id,
        run.deletedTime,
      ]),
    );
    expect(times.get(early.info.run_id)).toBe(earlyTime);
    expect(times.get(withExperiment.info.run_id)).toBe(experiment.last_update_time);

    await store().restoreExperiment(experimentId);
    expect(await deletedIds(store(), [experimentId])).toEqual([early.info.run_id]);
  });

  it('purges a deleted experiment with all its runs and their data, and nothing else', async (test) => {
    needsPurge(test);
    const keptExperiment = await context.createExperiment('kept');
    const kept = await populatedRun(store(), keptExperiment);
    const keptDeleted = await populatedRun(store(), keptExperiment);
    await store().deleteRun(keptDeleted.info.run_id);
    const name = uniqueName('gone');
    const goneExperiment = await store().createExperiment({ name, tags: [{ key: 'k', value: 'v' }] });
    const gone = [await populatedRun(store(), goneExperiment), await populatedRun(store(), goneExperiment)];
    const keptBefore = [
      await snapshot(store(), kept.info.run_id),
      await snapshot(store(), keptDeleted.info.run_id),
    ];
    await store().deleteExperiment(goneExperiment);

    await store().purgeExperiment(goneExperiment);

    await expectCairnError(store().getExperiment(goneExperiment), 'RESOURCE_DOES_NOT_EXIST');
    for (const run of gone)
      await expectCairnError(store().getRun(run.info.run_id), 'RESOURCE_DOES_NOT_EXIST');
    expect(await deletedIds(store(), [goneExperiment])).toEqual([]);
    expect(await deletedIds(store())).not.toEqual(expect.arrayContaining([gone[0]?.info.run_id]));
    const everywhere = await store().searchExperiments({ viewType: 'ALL', maxResults: 1000 });
    expect(everywhere.items.map((experiment) => experiment.experiment_id)).not.toContain(goneExperiment);
    expect(await store().getExperimentByName(name)).toBeUndefined();
    // Other experiments' runs, active or deleted, are exactly as they were.
    expect([
      await snapshot(store(), kept.info.run_id),
      await snapshot(store(), keptDeleted.info.run_id),
    ]).toEqual(keptBefore);
    expect(await deletedIds(store(), [keptExperiment])).toEqual([keptDeleted.info.run_id]);
    // The name is free again, and a new experiment under it starts empty.
    const reborn = await store().createExperiment({ name });
    expect((await store().getExperiment(reborn)).tags).toEqual([]);
    const runs = await store().searchRuns({ experimentIds: [reborn], runViewType: 'ALL' });
    expect(runs.items).toEqual([]);
  });

  it("purges a deleted experiment's logged models", async (test) => {
    needsPurge(test);
    const kept = await context.createExperiment('kept');
    const gone = await context.createExperiment('gone');
    // Logged models are part of the contract every store implements, so no store may opt out here.
    const created = await store().createLoggedModel({
      experimentId: gone,
      name: 'model-gone',
      params: [{ key: 'p', value: '1' }],
    });
    const keptModel = await store().createLoggedModel({ experimentId: kept, name: 'model-kept' });
    await store().deleteExperiment(gone);
    await store().purgeExperiment(gone);
    await expectCairnError(
      store().getLoggedModel(created.info.model_id, { allowDeleted: true }),
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect(await store().getLoggedModel(keptModel.info.model_id)).toEqual(keptModel);
  });

  it('refuses to purge an active experiment with INVALID_PARAMETER_VALUE and changes nothing', async (test) => {
    needsPurge(test);
    const experimentId = await context.createExperiment();
    const run = await populatedRun(store(), experimentId);
    const before = await snapshot(store(), run.info.run_id);
    const error = await expectCairnError(store().purgeExperiment(experimentId), 'INVALID_PARAMETER_VALUE');
    expect(error.message).toContain(experimentId);
    expect((await store().getExperiment(experimentId)).lifecycle_stage).toBe('active');
    expect(await snapshot(store(), run.info.run_id)).toEqual(before);
  });

  it('fails purging an unknown or already purged experiment with RESOURCE_DOES_NOT_EXIST', async (test) => {
    needsPurge(test);
    await expectCairnError(store().purgeExperiment(unknownExperimentId), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().purgeExperiment('not-an-id'), 'RESOURCE_DOES_NOT_EXIST');
    const experimentId = await context.createExperiment();
    await store().deleteExperiment(experimentId);
    await store().purgeExperiment(experimentId);
    await expectCairnError(store().purgeExperiment(experimentId), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('answers NOT_IMPLEMENTED, naming the method, where purgeExperiments is false', async (test) => {
    // Reason: only stores that declare they cannot purge must refuse; the others are checked above.
    if (store().capabilities.purgeExperiments) test.skip('the store purges experiments');
    const experimentId = await context.createExperiment();
    await store().deleteExperiment(experimentId);
    const error = await expectCairnError(store().purgeExperiment(experimentId), 'NOT_IMPLEMENTED');
    expect(error.message).toContain('purgeExperiment');
    expect((await store().getExperiment(experimentId)).lifecycle_stage).toBe('deleted');
  });
}
