import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { TrackingSuiteContext } from './tracking-context.js';

/** Run tags: set, overwrite, delete, truncation. */
export function tagsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function tag(runId: string, key: string) {
    return (await store().getRun(runId)).data.tags.filter((entry) => entry.key === key);
  }

  it('sets a tag that getRun returns', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, tags: [{ key: 'stage', value: 'dev' }] });
    expect(await tag(runId, 'stage')).toEqual([{ key: 'stage', value: 'dev' }]);
  });

  it('overwrites a tag set twice, keeping one entry', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, tags: [{ key: 'stage', value: 'dev' }] });
    await store().logBatch({ runId, tags: [{ key: 'stage', value: 'prod' }] });
    expect(await tag(runId, 'stage')).toEqual([{ key: 'stage', value: 'prod' }]);
  });

  it('deletes a tag', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      tags: [
        { key: 'stage', value: 'dev' },
        { key: 'keep', value: '1' },
      ],
    });
    await store().deleteTag(runId, 'stage');
    expect(await tag(runId, 'stage')).toEqual([]);
    expect(await tag(runId, 'keep')).toEqual([{ key: 'keep', value: '1' }]);
  });

  it('fails deleting a missing tag with RESOURCE_DOES_NOT_EXIST', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(store().deleteTag(runId, 'missing'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('fails deleting a tag of an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().deleteTag('ffffffffffffffffffffffffffffffff', 'a'),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('truncates a value longer than 8000 characters to 8000', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, tags: [{ key: 'long', value: 'x'.repeat(8100) }] });
    expect((await tag(runId, 'long'))[0]?.value).toBe('x'.repeat(8000));
  });

  it('accepts an empty value', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, tags: [{ key: 'empty', value: '' }] });
    expect(await tag(runId, 'empty')).toEqual([{ key: 'empty', value: '' }]);
  });

  it('can set a tag again after deleting it', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, tags: [{ key: 'note', value: 'a' }] });
    await store().deleteTag(runId, 'note');
    await store().logBatch({ runId, tags: [{ key: 'note', value: 'b' }] });
    expect(await tag(runId, 'note')).toEqual([{ key: 'note', value: 'b' }]);
  });

  it('keeps tags per run', async () => {
    const experimentId = await context.createExperiment();
    const first = (await context.createRun({ experimentId })).info.run_id;
    const second = (await context.createRun({ experimentId })).info.run_id;
    await store().logBatch({ runId: first, tags: [{ key: 'only-first', value: '1' }] });
    expect(await tag(second, 'only-first')).toEqual([]);
  });
}
