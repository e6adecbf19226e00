import type { TrackingStore } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

const badKeys = ['../x', 'a//b', '/a', 'k'.repeat(251), 'a$b', 'a/', './a', '', 'a/../b'];

const writers: [string, (store: TrackingStore, runId: string, key: string) => Promise<void>][] = [
  ['metric', (store, runId, key) => store.logBatch({ runId, metrics: [metric(key, 1)] })],
  ['param', (store, runId, key) => store.logBatch({ runId, params: [{ key, value: '1' }] })],
  ['tag', (store, runId, key) => store.logBatch({ runId, tags: [{ key, value: '1' }] })],
];

const cases = writers.flatMap(([kind, write]) =>
  badKeys.map(
    (key) =>
      [
        kind,
        key.length > 40 ? `${key.slice(0, 8)}... (${key.length} chars)` : JSON.stringify(key),
        key,
        write,
      ] as const,
  ),
);

/** Validation: MLflow's key rules for metrics, params and tags, and id arguments. */
export function validationSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it.each(cases)('rejects the %s key %s with INVALID_PARAMETER_VALUE', async (_kind, _label, key, write) => {
    const run = await context.createRun();
    await expectCairnError(write(store(), run.info.run_id, key), 'INVALID_PARAMETER_VALUE');
    const read = await store().getRun(run.info.run_id);
    expect(read.data.metrics).toEqual([]);
    expect(read.data.params).toEqual([]);
    expect(read.data.tags).toEqual(run.data.tags);
  });

  it.each(writers)('accepts a %s key of exactly 250 characters', async (_kind, write) => {
    const run = await context.createRun();
    await write(store(), run.info.run_id, 'k'.repeat(250));
  });

  it('rejects an experiment tag value that is not a string', async () => {
    const id = await context.createExperiment();
    await expectCairnError(
      store().setExperimentTag(id, { key: 'k', value: 5 as unknown as string }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('rejects a param value that is not a string', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(
      store().logBatch({ runId, params: [{ key: 'k', value: 5 as unknown as string }] }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('rejects a tag at run creation with a bad key', async () => {
    const experimentId = await context.createExperiment();
    await expectCairnError(
      store().createRun({ experimentId, tags: [{ key: '../escape', value: '1' }] }),
      'INVALID_PARAMETER_VALUE',
    );
  });
}
