import type { TrackingStore } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { datasetInput, metric, type TrackingSuiteContext } from './tracking-context.js';

const unknownRunId = '0123456789abcdef0123456789abcdef';

/** The writes a deleted run must refuse. */
const writes: [string, (store: TrackingStore, runId: string) => Promise<unknown>][] = [
  ['a metric', (store, runId) => store.logBatch({ runId, metrics: [metric('m', 1)] })],
  ['a param', (store, runId) => store.logBatch({ runId, params: [{ key: 'p', value: '1' }] })],
  ['a tag', (store, runId) => store.logBatch({ runId, tags: [{ key: 't', value: '1' }] })],
  ['an update', (store, runId) => store.updateRun({ runId, status: 'FINISHED' })],
  ['a dataset input', (store, runId) => store.logInputs({ runId, datasets: [datasetInput('d', 'abc')] })],
];

/** Runs: creation, ids, read, update, delete, restore, purge. */
export function runsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('creates a run with MLflow run info', async () => {
    const experimentId = await context.createExperiment();
    const run = await store().createRun({ experimentId, startTime: 1_700_000_000_000, userId: 'ana' });
    expect(run.info).toMatchObject({
      run_uuid: run.info.run_id,
      experiment_id: experimentId,
      user_id: 'ana',
      status: 'RUNNING',
      start_time: 1_700_000_000_000,
      lifecycle_stage: 'active',
    });
    expect(run.info.end_time ?? undefined).toBeUndefined();
    expect(run.info.artifact_uri).toContain(run.info.run_id);
  });

  it('gives runs ids of 32 lowercase hex characters', async () => {
    const run = await context.createRun();
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives every run a distinct id and artifact URI', async () => {
    const experimentId = await context.createExperiment();
    const created = await Promise.all(Array.from({ length: 30 }, () => context.createRun({ experimentId })));
    expect(new Set(created.map((run) => run.info.run_id)).size).toBe(30);
    expect(new Set(created.map((run) => run.info.artifact_uri)).size).toBe(30);
  });

  it('defaults start_time to now', async () => {
    const before = Date.now();
    const run = await context.createRun();
    expect(run.info.start_time).toBeGreaterThanOrEqual(before - 1000);
    expect(run.info.start_time).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('starts with no metrics or params and no inputs', async () => {
    const run = await store().getRun((await context.createRun()).info.run_id);
    expect(run.data.metrics).toEqual([]);
    expect(run.data.params).toEqual([]);
    expect(run.inputs.dataset_inputs).toEqual([]);
  });

  it('stores the tags given at creation', async () => {
    const run = await context.createRun({ tags: [{ key: 'team', value: 'nlp' }] });
    const read = await store().getRun(run.info.run_id);
    expect(read.data.tags).toContainEqual({ key: 'team', value: 'nlp' });
  });

  it('reads back the run it created', async () => {
    const run = await context.createRun();
    const read = await store().getRun(run.info.run_id);
    expect(read.info).toEqual(run.info);
  });

  it('fails getRun of an unknown id with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().getRun(unknownRunId), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('updates status and end time', async () => {
    const run = await context.createRun();
    const info = await store().updateRun({
      runId: run.info.run_id,
      status: 'FINISHED',
      endTime: 1_700_000_100_000,
    });
    expect(info).toMatchObject({ status: 'FINISHED', end_time: 1_700_000_100_000, run_id: run.info.run_id });
    const read = await store().getRun(run.info.run_id);
    expect(read.info).toMatchObject({ status: 'FINISHED', end_time: 1_700_000_100_000 });
  });

  it.each(['SCHEDULED', 'FAILED', 'KILLED', 'RUNNING'] as const)('accepts status %s', async (status) => {
    const run = await context.createRun();
    await store().updateRun({ runId: run.info.run_id, status });
    expect((await store().getRun(run.info.run_id)).info.status).toBe(status);
  });

  it('changes only the fields given to updateRun', async () => {
    const run = await context.createRun({ runName: 'keep-me' });
    await store().updateRun({ runId: run.info.run_id, status: 'FAILED' });
    const read = await store().getRun(run.info.run_id);
    expect(read.info.run_name).toBe('keep-me');
    expect(read.info.end_time ?? undefined).toBeUndefined();
    expect(read.info.start_time).toBe(run.info.start_time);
  });

  it('fails updating an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().updateRun({ runId: unknownRunId, status: 'FINISHED' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('soft-deletes a run, which getRun still returns', async () => {
    const run = await context.createRun();
    await store().deleteRun(run.info.run_id);
    expect((await store().getRun(run.info.run_id)).info.lifecycle_stage).toBe('deleted');
  });

  it('restores a deleted run', async () => {
    const run = await context.createRun();
    await store().deleteRun(run.info.run_id);
    await store().restoreRun(run.info.run_id);
    expect((await store().getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('fails deleting or restoring an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().deleteRun(unknownRunId), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().restoreRun(unknownRunId), 'RESOURCE_DOES_NOT_EXIST');
  });

  it.each(writes)('refuses %s on a deleted run with INVALID_PARAMETER_VALUE', async (_what, write) => {
    const run = await context.createRun();
    await store().deleteRun(run.info.run_id);
    await expectCairnError(write(store(), run.info.run_id), 'INVALID_PARAMETER_VALUE');
  });

  it('refuses deleting a tag of a deleted run with INVALID_PARAMETER_VALUE', async () => {
    const run = await context.createRun({ tags: [{ key: 't', value: '1' }] });
    await store().deleteRun(run.info.run_id);
    await expectCairnError(store().deleteTag(run.info.run_id, 't'), 'INVALID_PARAMETER_VALUE');
  });

  it('accepts writes again once a run is restored', async () => {
    const run = await context.createRun();
    await store().deleteRun(run.info.run_id);
    await store().restoreRun(run.info.run_id);
    await store().logBatch({ runId: run.info.run_id, params: [{ key: 'p', value: '1' }] });
    expect((await store().getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: '1' }]);
  });

  it('refuses to purge an active run', async () => {
    const run = await context.createRun();
    await expectCairnError(store().purgeRun(run.info.run_id), ['INVALID_PARAMETER_VALUE', 'INVALID_STATE']);
    expect((await store().getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('purges a deleted run for good', async () => {
    const run = await context.createRun();
    await store().logBatch({ runId: run.info.run_id, metrics: [metric('m', 1)] });
    await store().deleteRun(run.info.run_id);
    await store().purgeRun(run.info.run_id);
    await expectCairnError(store().getRun(run.info.run_id), 'RESOURCE_DOES_NOT_EXIST');
  });
}
