import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { TrackingSuiteContext } from './tracking-context.js';

/** Experiment tags: set, overwrite, delete, limits. */
export function experimentTagsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('sets a tag that getExperiment returns', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'owner', value: 'ana' });
    expect((await store().getExperiment(id)).tags).toEqual([{ key: 'owner', value: 'ana' }]);
  });

  it('overwrites a tag set twice', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'owner', value: 'ana' });
    await store().setExperimentTag(id, { key: 'owner', value: 'bo' });
    expect((await store().getExperiment(id)).tags).toEqual([{ key: 'owner', value: 'bo' }]);
  });

  it('keeps several tags', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'a', value: '1' });
    await store().setExperimentTag(id, { key: 'b', value: '2' });
    const tags = (await store().getExperiment(id)).tags;
    expect([...tags].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
  });

  it('deletes a tag', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'a', value: '1' });
    await store().setExperimentTag(id, { key: 'b', value: '2' });
    await store().deleteExperimentTag(id, 'a');
    expect((await store().getExperiment(id)).tags).toEqual([{ key: 'b', value: '2' }]);
  });

  it('fails deleting a missing tag with RESOURCE_DOES_NOT_EXIST', async () => {
    const id = await context.createExperiment();
    await expectCairnError(store().deleteExperimentTag(id, 'nope'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('fails tagging an unknown experiment with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().setExperimentTag('987654321', { key: 'a', value: '1' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('accepts a value of 5000 characters and rejects 5001 with INVALID_PARAMETER_VALUE', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'long', value: 'v'.repeat(5000) });
    expect((await store().getExperiment(id)).tags[0]?.value).toHaveLength(5000);
    await expectCairnError(
      store().setExperimentTag(id, { key: 'long', value: 'v'.repeat(5001) }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('rejects a bad tag key with INVALID_PARAMETER_VALUE', async () => {
    const id = await context.createExperiment();
    await expectCairnError(
      store().setExperimentTag(id, { key: '../x', value: '1' }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('refuses to tag a deleted experiment with INVALID_PARAMETER_VALUE', async () => {
    const id = await context.createExperiment();
    await store().deleteExperiment(id);
    await expectCairnError(store().setExperimentTag(id, { key: 'a', value: '1' }), 'INVALID_PARAMETER_VALUE');
  });

  it('keeps tags through delete and restore', async () => {
    const id = await context.createExperiment();
    await store().setExperimentTag(id, { key: 'a', value: '1' });
    await store().deleteExperiment(id);
    await store().restoreExperiment(id);
    expect((await store().getExperiment(id)).tags).toEqual([{ key: 'a', value: '1' }]);
  });
}
