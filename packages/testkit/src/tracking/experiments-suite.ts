import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { type TrackingSuiteContext, uniqueName } from './tracking-context.js';

/** Experiments: the Default experiment, unique names, rename, delete and restore (with their runs). */
export function experimentsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('has the Default experiment "0", active', async () => {
    const experiment = await store().getExperiment('0');
    expect(experiment.experiment_id).toBe('0');
    expect(experiment.name).toBe('Default');
    expect(experiment.lifecycle_stage).toBe('active');
    expect(experiment.artifact_location).not.toBe('');
  });

  it('finds the Default experiment by name', async () => {
    expect((await store().getExperimentByName('Default'))?.experiment_id).toBe('0');
  });

  it('creates an experiment that reads back with its fields', async () => {
    const name = uniqueName();
    const before = Date.now();
    const id = await store().createExperiment({ name });
    const experiment = await store().getExperiment(id);
    expect(experiment).toMatchObject({ experiment_id: id, name, lifecycle_stage: 'active', tags: [] });
    expect(experiment.artifact_location).not.toBe('');
    expect(experiment.creation_time).toBeGreaterThanOrEqual(before - 1000);
    expect(experiment.last_update_time).toBeGreaterThanOrEqual(experiment.creation_time ?? 0);
  });

  it('gives experiments distinct decimal ids other than "0"', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => context.createExperiment()));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(id).toMatch(/^\d+$/);
      expect(id).not.toBe('0');
    }
  });

  it('stores the tags given at creation', async () => {
    const id = await store().createExperiment({
      name: uniqueName(),
      tags: [{ key: 'team', value: 'vision' }],
    });
    expect((await store().getExperiment(id)).tags).toEqual([{ key: 'team', value: 'vision' }]);
  });

  it('uses the artifact location given at creation', async () => {
    const location = 'memory://elsewhere/custom-location';
    const id = await store().createExperiment({ name: uniqueName(), artifactLocation: location });
    expect((await store().getExperiment(id)).artifact_location).toBe(location);
  });

  it('makes a relative local artifact location absolute against the working directory, as MLflow does', async () => {
    const cwd = process.cwd();
    const path = await store().createExperiment({
      name: uniqueName(),
      artifactLocation: 'relative/./location',
    });
    expect((await store().getExperiment(path)).artifact_location).toBe(`${cwd}/relative/location`);
    const uri = await store().createExperiment({ name: uniqueName(), artifactLocation: 'file:relative' });
    expect((await store().getExperiment(uri)).artifact_location).toBe(`file://${cwd}/relative`);
  });

  it('gives experiments distinct artifact locations by default', async () => {
    const first = await store().getExperiment(await context.createExperiment());
    const second = await store().getExperiment(await context.createExperiment());
    expect(first.artifact_location).not.toBe(second.artifact_location);
  });

  it('rejects a name already used with RESOURCE_ALREADY_EXISTS', async () => {
    const name = uniqueName();
    await store().createExperiment({ name });
    await expectCairnError(store().createExperiment({ name }), 'RESOURCE_ALREADY_EXISTS');
  });

  it('rejects the name of a deleted experiment with RESOURCE_ALREADY_EXISTS', async () => {
    const name = uniqueName();
    const id = await store().createExperiment({ name });
    await store().deleteExperiment(id);
    await expectCairnError(store().createExperiment({ name }), 'RESOURCE_ALREADY_EXISTS');
  });

  it('rejects the name "Default" with RESOURCE_ALREADY_EXISTS', async () => {
    await expectCairnError(store().createExperiment({ name: 'Default' }), 'RESOURCE_ALREADY_EXISTS');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['longer than 500 characters', 'x'.repeat(501)],
  ])('rejects an %s name with INVALID_PARAMETER_VALUE', async (_why, name) => {
    await expectCairnError(store().createExperiment({ name }), 'INVALID_PARAMETER_VALUE');
  });

  it('rejects a runs:/ artifact location with INVALID_PARAMETER_VALUE', async () => {
    await expectCairnError(
      store().createExperiment({ name: uniqueName(), artifactLocation: 'runs:/abc/model' }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('fails getExperiment of an unknown id with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().getExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('returns undefined from getExperimentByName for an unknown name', async () => {
    expect(await store().getExperimentByName(uniqueName('missing'))).toBeUndefined();
  });

  it('returns a deleted experiment from getExperimentByName', async () => {
    const name = uniqueName();
    const id = await store().createExperiment({ name });
    await store().deleteExperiment(id);
    const found = await store().getExperimentByName(name);
    expect(found?.experiment_id).toBe(id);
    expect(found?.lifecycle_stage).toBe('deleted');
  });

  it('renames an experiment', async () => {
    const oldName = uniqueName('old');
    const newName = uniqueName('new');
    const id = await store().createExperiment({ name: oldName });
    await store().renameExperiment(id, newName);
    const experiment = await store().getExperiment(id);
    expect(experiment.name).toBe(newName);
    expect(experiment.last_update_time).toBeGreaterThanOrEqual(experiment.creation_time ?? 0);
    expect(await store().getExperimentByName(oldName)).toBeUndefined();
    expect((await store().getExperimentByName(newName))?.experiment_id).toBe(id);
  });

  it('frees the old name after a rename', async () => {
    const oldName = uniqueName('old');
    const id = await store().createExperiment({ name: oldName });
    await store().renameExperiment(id, uniqueName('new'));
    const reused = await store().createExperiment({ name: oldName });
    expect(reused).not.toBe(id);
  });

  it('rejects renaming to a name in use with RESOURCE_ALREADY_EXISTS', async () => {
    const taken = uniqueName();
    await store().createExperiment({ name: taken });
    const id = await context.createExperiment();
    await expectCairnError(store().renameExperiment(id, taken), 'RESOURCE_ALREADY_EXISTS');
  });

  it('rejects renaming to an empty name with INVALID_PARAMETER_VALUE', async () => {
    const id = await context.createExperiment();
    await expectCairnError(store().renameExperiment(id, ''), 'INVALID_PARAMETER_VALUE');
  });

  it('fails renaming an unknown experiment with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().renameExperiment('987654321', uniqueName()), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('soft-deletes an experiment, which getExperiment still returns', async () => {
    const id = await context.createExperiment();
    await store().deleteExperiment(id);
    expect((await store().getExperiment(id)).lifecycle_stage).toBe('deleted');
  });

  it('fails deleting an unknown experiment with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().deleteExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('can delete the Default experiment', async () => {
    await store().deleteExperiment('0');
    expect((await store().getExperiment('0')).lifecycle_stage).toBe('deleted');
  });

  it('marks the runs of a deleted experiment deleted', async () => {
    const experimentId = await context.createExperiment();
    const first = await context.createRun({ experimentId });
    const second = await context.createRun({ experimentId });
    await store().deleteExperiment(experimentId);
    expect((await store().getRun(first.info.run_id)).info.lifecycle_stage).toBe('deleted');
    expect((await store().getRun(second.info.run_id)).info.lifecycle_stage).toBe('deleted');
  });

  it('does not touch the runs of other experiments when deleting one', async () => {
    const other = await context.createRun();
    await store().deleteExperiment(await context.createExperiment());
    expect((await store().getRun(other.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('restores an experiment and the runs deleted with it', async () => {
    const experimentId = await context.createExperiment();
    const run = await context.createRun({ experimentId });
    await store().deleteExperiment(experimentId);
    await store().restoreExperiment(experimentId);
    expect((await store().getExperiment(experimentId)).lifecycle_stage).toBe('active');
    expect((await store().getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('fails restoring an unknown experiment with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().restoreExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses to create a run in a deleted experiment', async () => {
    const experimentId = await context.createExperiment();
    await store().deleteExperiment(experimentId);
    // MLflow's SQL store answers INVALID_PARAMETER_VALUE, its FileStore INVALID_STATE.
    await expectCairnError(store().createRun({ experimentId }), ['INVALID_PARAMETER_VALUE', 'INVALID_STATE']);
  });

  it('fails creating a run in an unknown experiment with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().createRun({ experimentId: '987654321' }), 'RESOURCE_DOES_NOT_EXIST');
  });
}
