import type { LogBatchInput, Run } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

const metrics = (count: number) => Array.from({ length: count }, (_, i) => metric(`m${i}`, i, 1000, 0));
const params = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `p${i}`, value: String(i) }));
const tags = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `t${i}`, value: String(i) }));

/** Log-batch: per-batch limits, all-or-nothing, duplicate params. */
export function logBatchSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function expectUntouched(run: Run) {
    const read = await store().getRun(run.info.run_id);
    expect(read.data.metrics).toEqual([]);
    expect(read.data.params).toEqual([]);
    expect(read.data.tags).toEqual(run.data.tags);
    expect(read.info.run_name).toBe(run.info.run_name);
    const history = await store().getMetricHistory({ runId: run.info.run_id, metricKey: 'good' });
    expect(history.items).toEqual([]);
  }

  it('logs metrics, params and tags together', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [metric('acc', 0.5)],
      params: [{ key: 'lr', value: '0.01' }],
      tags: [{ key: 'stage', value: 'test' }],
    });
    const run = await store().getRun(runId);
    expect(run.data.metrics).toMatchObject([{ key: 'acc', value: 0.5 }]);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(run.data.tags).toContainEqual({ key: 'stage', value: 'test' });
  });

  it('accepts an empty batch', async () => {
    const run = await context.createRun();
    await store().logBatch({ runId: run.info.run_id });
    await store().logBatch({ runId: run.info.run_id, metrics: [], params: [], tags: [] });
    await expectUntouched(run);
  });

  it.each([
    ['1000 metrics', { metrics: metrics(1000) }, 1000],
    ['100 params', { params: params(100) }, 100],
    ['100 tags', { tags: tags(100) }, 100],
    ['1000 entries in total', { metrics: metrics(800), params: params(100), tags: tags(100) }, 1000],
  ] as const)('accepts %s', async (_what, batch: Omit<LogBatchInput, 'runId'>, count) => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, ...batch });
    const run = await store().getRun(runId);
    const stored =
      run.data.metrics.length +
      run.data.params.length +
      run.data.tags.filter((t) => /^t\d+$/.test(t.key)).length;
    expect(stored).toBe(count);
  });

  it.each([
    ['1001 metrics', { metrics: metrics(1001) }],
    ['101 params', { params: params(101) }],
    ['101 tags', { tags: tags(101) }],
    ['1001 entries in total', { metrics: metrics(801), params: params(100), tags: tags(100) }],
  ] as const)('rejects %s with INVALID_PARAMETER_VALUE and stores nothing', async (_what, batch) => {
    const run = await context.createRun();
    await expectCairnError(store().logBatch({ runId: run.info.run_id, ...batch }), 'INVALID_PARAMETER_VALUE');
    const read = await store().getRun(run.info.run_id);
    expect(read.data.metrics).toEqual([]);
    expect(read.data.params).toEqual([]);
  });

  it.each([
    [
      'a bad tag key',
      {
        tags: [
          { key: 'ok', value: '1' },
          { key: '../bad', value: '1' },
        ],
      },
    ],
    ['a bad param key', { params: [{ key: 'a$b', value: '1' }] }],
    ['a bad metric key', { metrics: [metric('good', 1), metric('/abs', 1)] }],
    ['a bad metric timestamp', { metrics: [metric('good', 1), metric('other', 1, -5)] }],
    [
      'a tag renaming the run next to a bad entry',
      {
        tags: [
          { key: 'mlflow.runName', value: 'x' },
          { key: 'a//b', value: '1' },
        ],
      },
    ],
  ] as const)('stores nothing from a batch with %s', async (_what, bad) => {
    const run = await store().getRun((await context.createRun()).info.run_id);
    await expectCairnError(
      store().logBatch({
        runId: run.info.run_id,
        metrics: [metric('good', 1), ...('metrics' in bad ? bad.metrics : [])],
        params: [{ key: 'good-param', value: '1' }, ...('params' in bad ? bad.params : [])],
        tags: [...('tags' in bad ? bad.tags : [])],
      }),
      'INVALID_PARAMETER_VALUE',
    );
    await expectUntouched(run);
  });

  it('stores nothing from a batch that would change a logged param', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, params: [{ key: 'lr', value: '0.1' }] });
    await expectCairnError(
      store().logBatch({
        runId,
        metrics: [metric('good', 1)],
        params: [{ key: 'lr', value: '0.2' }],
        tags: [{ key: 'x', value: '1' }],
      }),
      'INVALID_PARAMETER_VALUE',
    );
    const run = await store().getRun(runId);
    expect(run.data.metrics).toEqual([]);
    expect(run.data.tags.find((tag) => tag.key === 'x')).toBeUndefined();
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
  });

  it('rejects duplicate param keys with different values in one batch and stores nothing', async () => {
    const run = await store().getRun((await context.createRun()).info.run_id);
    await expectCairnError(
      store().logBatch({
        runId: run.info.run_id,
        metrics: [metric('good', 1)],
        params: [
          { key: 'p', value: '1' },
          { key: 'p', value: '2' },
        ],
      }),
      'INVALID_PARAMETER_VALUE',
    );
    await expectUntouched(run);
  });

  it('accepts duplicate param keys with the same value in one batch, once', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      params: [
        { key: 'p', value: '1' },
        { key: 'p', value: '1' },
      ],
    });
    expect((await store().getRun(runId)).data.params).toEqual([{ key: 'p', value: '1' }]);
  });

  it('applies the last of several values for one tag key in a batch', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      tags: [
        { key: 't', value: 'first' },
        { key: 't', value: 'last' },
      ],
    });
    expect((await store().getRun(runId)).data.tags.filter((tag) => tag.key === 't')).toEqual([
      { key: 't', value: 'last' },
    ]);
  });

  it('keeps every point of a key logged several times in one batch', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [metric('m', 1, 1, 0), metric('m', 2, 2, 1), metric('m', 3, 3, 2)],
    });
    const page = await store().getMetricHistory({ runId, metricKey: 'm' });
    expect(page.items.map((entry) => entry.value)).toEqual([1, 2, 3]);
    expect((await store().getRun(runId)).data.metrics).toMatchObject([{ key: 'm', value: 3 }]);
  });
}
