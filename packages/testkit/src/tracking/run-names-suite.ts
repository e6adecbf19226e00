import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { TrackingSuiteContext } from './tracking-context.js';

const runNameTag = 'mlflow.runName';

function tagValue(tags: readonly { key: string; value: string }[], key: string): string | undefined {
  return tags.find((tag) => tag.key === key)?.value;
}

/** Run names: generation, the mlflow.runName tag, renames through updateRun and setTag. */
export function runNamesSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('generates an adjective-noun-number name and mirrors it in the mlflow.runName tag', async () => {
    const run = await store().getRun((await context.createRun()).info.run_id);
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
    expect(tagValue(run.data.tags, runNameTag)).toBe(run.info.run_name);
  });

  it('generates varied names', async () => {
    const experimentId = await context.createExperiment();
    const runs = await Promise.all(Array.from({ length: 20 }, () => context.createRun({ experimentId })));
    expect(new Set(runs.map((run) => run.info.run_name)).size).toBeGreaterThan(1);
  });

  it('uses the given run name and sets the tag', async () => {
    const run = await store().getRun((await context.createRun({ runName: 'baseline' })).info.run_id);
    expect(run.info.run_name).toBe('baseline');
    expect(tagValue(run.data.tags, runNameTag)).toBe('baseline');
  });

  it('uses the mlflow.runName tag as the name when no name is given', async () => {
    const created = await context.createRun({ tags: [{ key: runNameTag, value: 'from-tag' }] });
    const run = await store().getRun(created.info.run_id);
    expect(run.info.run_name).toBe('from-tag');
    expect(run.data.tags.filter((tag) => tag.key === runNameTag)).toEqual([
      { key: runNameTag, value: 'from-tag' },
    ]);
  });

  it('accepts a name and a tag that agree', async () => {
    const run = await context.createRun({ runName: 'same', tags: [{ key: runNameTag, value: 'same' }] });
    expect(run.info.run_name).toBe('same');
  });

  it('rejects a name and a tag that disagree with INVALID_PARAMETER_VALUE', async () => {
    const experimentId = await context.createExperiment();
    await expectCairnError(
      store().createRun({ experimentId, runName: 'one', tags: [{ key: runNameTag, value: 'two' }] }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('allows two runs with the same name', async () => {
    const experimentId = await context.createExperiment();
    const first = await context.createRun({ experimentId, runName: 'twin' });
    const second = await context.createRun({ experimentId, runName: 'twin' });
    expect(first.info.run_id).not.toBe(second.info.run_id);
  });

  it('renames through updateRun, updating the tag too', async () => {
    const run = await context.createRun({ runName: 'before' });
    const info = await store().updateRun({ runId: run.info.run_id, runName: 'after' });
    expect(info.run_name).toBe('after');
    const read = await store().getRun(run.info.run_id);
    expect(read.info.run_name).toBe('after');
    expect(tagValue(read.data.tags, runNameTag)).toBe('after');
  });

  it('renames when the mlflow.runName tag is set', async () => {
    const run = await context.createRun({ runName: 'before' });
    await store().logBatch({ runId: run.info.run_id, tags: [{ key: runNameTag, value: 'renamed' }] });
    expect((await store().getRun(run.info.run_id)).info.run_name).toBe('renamed');
  });

  it('makes the new name searchable after a rename', async () => {
    const run = await context.createRun({ runName: 'before' });
    await store().updateRun({ runId: run.info.run_id, runName: 'after-rename' });
    const page = await store().searchRuns({
      experimentIds: [run.info.experiment_id],
      filter: "attributes.run_name = 'after-rename'",
    });
    expect(page.items.map((found) => found.info.run_id)).toEqual([run.info.run_id]);
  });
}
