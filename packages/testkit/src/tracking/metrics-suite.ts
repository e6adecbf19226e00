import type { Metric } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

/** Metrics: the latest value per key in run.data.metrics, special values, point validation. */
export function metricsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function latest(runId: string, key: string): Promise<Metric | undefined> {
    const found = (await store().getRun(runId)).data.metrics.filter((entry) => entry.key === key);
    expect(found.length, `one latest value of metric ${key}`).toBeLessThanOrEqual(1);
    return found[0];
  }

  async function logAll(runId: string, points: Metric[]) {
    // One batch per point, so the order of logging is the order given.
    for (const point of points) await store().logBatch({ runId, metrics: [point] });
  }

  it('returns a logged metric with its value, timestamp and step', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, metrics: [metric('acc', 0.9, 1234, 7)] });
    expect(await latest(runId, 'acc')).toMatchObject({ key: 'acc', value: 0.9, timestamp: 1234, step: 7 });
  });

  it('picks the highest step as latest, even if logged first', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await logAll(runId, [metric('loss', 1, 100, 5), metric('loss', 9, 200, 2)]);
    expect(await latest(runId, 'loss')).toMatchObject({ value: 1, step: 5 });
  });

  it('breaks a step tie by the highest timestamp', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await logAll(runId, [metric('loss', 1, 300, 3), metric('loss', 9, 200, 3)]);
    expect(await latest(runId, 'loss')).toMatchObject({ value: 1, timestamp: 300 });
  });

  it('breaks a step and timestamp tie by the highest value', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await logAll(runId, [metric('loss', 2, 300, 3), metric('loss', 7, 300, 3), metric('loss', 4, 300, 3)]);
    expect((await latest(runId, 'loss'))?.value).toBe(7);
  });

  it('keeps one latest value per key', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [metric('a', 1, 1, 0), metric('b', 2, 1, 0), metric('a', 3, 2, 1), metric('b', 4, 2, 1)],
    });
    const metrics = (await store().getRun(runId)).data.metrics;
    expect(metrics).toHaveLength(2);
    expect(await latest(runId, 'a')).toMatchObject({ value: 3 });
    expect(await latest(runId, 'b')).toMatchObject({ value: 4 });
  });

  it.each([
    ['NaN', Number.NaN],
    ['+Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-0.5', -0.5],
    ['a large number', 1.5e300],
  ])('stores %s as a value', async (_name, value) => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, metrics: [metric('special', value)] });
    expect((await latest(runId, 'special'))?.value).toBe(value);
  });

  it('accepts step 0 and timestamp 0', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, metrics: [metric('zero', 1, 0, 0)] });
    expect(await latest(runId, 'zero')).toMatchObject({ timestamp: 0, step: 0 });
  });

  it.each([
    ['a negative timestamp', { key: 'm', value: 1, timestamp: -1, step: 0 }],
    ['a fractional timestamp', { key: 'm', value: 1, timestamp: 1.5, step: 0 }],
    ['a fractional step', { key: 'm', value: 1, timestamp: 1, step: 0.5 }],
    ['a string value', { key: 'm', value: '1' as unknown as number, timestamp: 1, step: 0 }],
  ])('rejects %s with INVALID_PARAMETER_VALUE', async (_why, point) => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(store().logBatch({ runId, metrics: [point] }), 'INVALID_PARAMETER_VALUE');
    expect((await store().getRun(runId)).data.metrics).toEqual([]);
  });

  it('fails on an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().logBatch({ runId: 'ffffffffffffffffffffffffffffffff', metrics: [metric('m', 1)] }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });
}
