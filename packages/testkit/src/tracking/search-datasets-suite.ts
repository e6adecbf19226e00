import type { DatasetSummary } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError, expectFieldNamed } from '../expect-cairn-error.js';
import { datasetInput, type TrackingSuiteContext } from './tracking-context.js';

/** Summaries in a fixed order, since stores answer in none. */
const sorted = (summaries: DatasetSummary[]) =>
  [...summaries].sort((a, b) =>
    JSON.stringify([a.experiment_id, a.name, a.digest, a.context ?? '']).localeCompare(
      JSON.stringify([b.experiment_id, b.name, b.digest, b.context ?? '']),
    ),
  );

/** searchDatasets: the distinct datasets (with their context) the runs of some experiments logged. */
export function searchDatasetsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('lists each dataset input of the runs with its context, and none for an input without one', async () => {
    const experimentId = await context.createExperiment();
    const { run_id: runId } = (await context.createRun({ experimentId })).info;
    await store().logInputs({
      runId,
      datasets: [datasetInput('train', 'd1', 'training'), datasetInput('holdout', 'd2')],
    });
    const summaries = await store().searchDatasets({ experimentIds: [experimentId] });
    expect(sorted(summaries)).toEqual([
      { experiment_id: experimentId, name: 'holdout', digest: 'd2' },
      { experiment_id: experimentId, name: 'train', digest: 'd1', context: 'training' },
    ]);
  });

  it('lists a dataset several runs used once per context', async () => {
    const experimentId = await context.createExperiment();
    const runs = await Promise.all([1, 2, 3].map(() => context.createRun({ experimentId })));
    const [first, second, third] = runs.map((run) => run.info.run_id) as [string, string, string];
    await store().logInputs({ runId: first, datasets: [datasetInput('shared', 'abc', 'training')] });
    await store().logInputs({ runId: second, datasets: [datasetInput('shared', 'abc', 'training')] });
    await store().logInputs({ runId: third, datasets: [datasetInput('shared', 'abc', 'evaluation')] });
    const summaries = await store().searchDatasets({ experimentIds: [experimentId] });
    expect(sorted(summaries)).toEqual([
      { experiment_id: experimentId, name: 'shared', digest: 'abc', context: 'evaluation' },
      { experiment_id: experimentId, name: 'shared', digest: 'abc', context: 'training' },
    ]);
  });

  it('keeps to the experiments named, and an unknown or malformed id adds nothing', async () => {
    const [one, two, other] = await Promise.all([1, 2, 3].map(() => context.createExperiment()));
    for (const [experimentId, name] of [
      [one, 'a'],
      [two, 'b'],
      [other, 'c'],
    ] as const) {
      const { run_id: runId } = (await context.createRun({ experimentId })).info;
      await store().logInputs({ runId, datasets: [datasetInput(name, 'v1', 'training')] });
    }
    const summaries = await store().searchDatasets({
      experimentIds: [one as string, two as string, '987654321', 'not-an-id'],
    });
    expect(sorted(summaries)).toEqual(
      sorted([
        { experiment_id: one as string, name: 'a', digest: 'v1', context: 'training' },
        { experiment_id: two as string, name: 'b', digest: 'v1', context: 'training' },
      ]),
    );
  });

  it('counts the inputs of deleted runs, as MLflow does', async () => {
    const experimentId = await context.createExperiment();
    const { run_id: runId } = (await context.createRun({ experimentId })).info;
    await store().logInputs({ runId, datasets: [datasetInput('gone', 'v1')] });
    await store().deleteRun(runId);
    expect(await store().searchDatasets({ experimentIds: [experimentId] })).toEqual([
      { experiment_id: experimentId, name: 'gone', digest: 'v1' },
    ]);
  });

  it('answers an empty list for experiments without dataset inputs', async () => {
    const experimentId = await context.createExperiment();
    await context.createRun({ experimentId });
    expect(await store().searchDatasets({ experimentIds: [experimentId] })).toEqual([]);
  });

  it('rejects no experiment ids with INVALID_PARAMETER_VALUE', async () => {
    const error = await expectCairnError(
      store().searchDatasets({ experimentIds: [] }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(error.message).toContain('must specify at least one experiment_id');
  });

  it('rejects more than 20 experiment ids with INVALID_PARAMETER_VALUE naming the limit', async () => {
    const experimentIds = Array.from({ length: 21 }, (_, index) => String(index + 1));
    const error = await expectCairnError(
      store().searchDatasets({ experimentIds }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(error.message).toContain('cannot specify more than 20 experiment_ids. Received 21');
    expectFieldNamed(error, 'experiment_ids');
  });
}
