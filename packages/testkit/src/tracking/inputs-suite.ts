import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { datasetInput, type TrackingSuiteContext } from './tracking-context.js';

/** Inputs: dataset inputs (deduplicated), model inputs and outputs. */
export function inputsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function datasets(runId: string) {
    return (await store().getRun(runId)).inputs.dataset_inputs;
  }

  it('records a dataset input that getRun returns with its tags', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const input = datasetInput('train', 'd1g3st', 'training');
    await store().logInputs({ runId, datasets: [input] });
    const read = await datasets(runId);
    expect(read).toHaveLength(1);
    expect(read[0]?.dataset).toMatchObject(input.dataset);
    expect(read[0]?.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
  });

  it('keeps optional schema and profile', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const input = datasetInput('with-schema', 'abc');
    input.dataset.schema = JSON.stringify({ columns: ['a', 'b'] });
    input.dataset.profile = JSON.stringify({ rows: 10 });
    await store().logInputs({ runId, datasets: [input] });
    expect((await datasets(runId))[0]?.dataset).toMatchObject({
      schema: input.dataset.schema,
      profile: input.dataset.profile,
    });
  });

  it('stores the same dataset logged twice once', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logInputs({ runId, datasets: [datasetInput('train', 'abc', 'training')] });
    await store().logInputs({ runId, datasets: [datasetInput('train', 'abc', 'training')] });
    expect(await datasets(runId)).toHaveLength(1);
  });

  it('stores the same dataset twice in one call once', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logInputs({
      runId,
      datasets: [datasetInput('train', 'abc'), datasetInput('train', 'abc')],
    });
    expect(await datasets(runId)).toHaveLength(1);
  });

  it('keeps different datasets, and versions of one dataset with different digests', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logInputs({
      runId,
      datasets: [datasetInput('train', 'v1'), datasetInput('train', 'v2'), datasetInput('eval', 'v1')],
    });
    const read = await datasets(runId);
    expect(read.map((entry) => `${entry.dataset.name}@${entry.dataset.digest}`).sort()).toEqual([
      'eval@v1',
      'train@v1',
      'train@v2',
    ]);
  });

  it('lets two runs use the same dataset', async () => {
    const experimentId = await context.createExperiment();
    const first = (await context.createRun({ experimentId })).info.run_id;
    const second = (await context.createRun({ experimentId })).info.run_id;
    await store().logInputs({ runId: first, datasets: [datasetInput('shared', 'abc')] });
    await store().logInputs({ runId: second, datasets: [datasetInput('shared', 'abc')] });
    expect(await datasets(first)).toHaveLength(1);
    expect(await datasets(second)).toHaveLength(1);
  });

  it.each([
    ['no name', () => ({ ...datasetInput('', 'abc') })],
    ['a digest over 36 characters', () => datasetInput('train', 'd'.repeat(37))],
    ['a name over 500 characters', () => datasetInput('n'.repeat(501), 'abc')],
  ])('rejects a dataset with %s with INVALID_PARAMETER_VALUE', async (_why, make) => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(store().logInputs({ runId, datasets: [make()] }), 'INVALID_PARAMETER_VALUE');
    expect(await datasets(runId)).toEqual([]);
  });

  it('fails on an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().logInputs({ runId: 'ffffffffffffffffffffffffffffffff', datasets: [datasetInput('d', 'abc')] }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('records model inputs and outputs', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const modelId = 'm-0123456789abcdef0123456789abcdef';
    await store().logInputs({ runId, models: [{ model_id: modelId }] });
    await store().logOutputs({ runId, models: [{ model_id: modelId, step: 3 }] });
    const run = await store().getRun(runId);
    expect(run.inputs.model_inputs ?? []).toEqual([{ model_id: modelId }]);
    expect(run.outputs?.model_outputs ?? []).toEqual([{ model_id: modelId, step: 3 }]);
  });
}
