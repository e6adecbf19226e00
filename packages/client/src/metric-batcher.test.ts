import { CairnError, type Metric } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { MetricBatcher } from './metric-batcher.js';

const point = (step: number, key = 'loss'): Metric => ({
  key,
  value: step / 10,
  timestamp: 1000 + step,
  step,
});

function recordingSink(options: { failOn?: number; delayMs?: number } = {}) {
  const writes: { runId: string; metrics: Metric[] }[] = [];
  let calls = 0;
  const sink = async (runId: string, metrics: Metric[]) => {
    calls += 1;
    if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (calls === options.failOn) throw new CairnError('INVALID_PARAMETER_VALUE', 'store refused the batch');
    writes.push({ runId, metrics });
  };
  return { sink, writes };
}

describe('MetricBatcher', () => {
  it('returns without I/O and writes nothing until a trigger', () => {
    const { sink, writes } = recordingSink();
    const batcher = new MetricBatcher(sink, { batchSize: 10, flushIntervalMs: 0 });
    for (let step = 0; step < 9; step += 1) expect(batcher.add('r', point(step))).toBeUndefined();
    expect(writes).toEqual([]);
    expect(batcher.pending).toBe(9);
  });

  it('flushes when the queue reaches the batch size, in order, in batches of at most batchSize', async () => {
    const { sink, writes } = recordingSink();
    const batcher = new MetricBatcher(sink, { batchSize: 10, flushIntervalMs: 0 });
    for (let step = 0; step < 25; step += 1) await batcher.add('r', point(step));
    await batcher.flush();
    expect(writes.every((write) => write.metrics.length <= 10)).toBe(true);
    expect(writes.flatMap((write) => write.metrics.map((m) => m.step))).toEqual([...Array(25).keys()]);
    expect(batcher.written).toBe(25);
  });

  it('caps batches at MLflow log-batch limit of 1,000 metrics', async () => {
    const { sink, writes } = recordingSink();
    const batcher = new MetricBatcher(sink, { batchSize: 5_000, flushIntervalMs: 0 });
    for (let step = 0; step < 2_500; step += 1) await batcher.add('r', point(step));
    await batcher.flush();
    expect(Math.max(...writes.map((write) => write.metrics.length))).toBe(1_000);
  });

  it('flushes on the interval timer', async () => {
    const { sink, writes } = recordingSink();
    const batcher = new MetricBatcher(sink, { batchSize: 1_000, flushIntervalMs: 20 });
    await batcher.add('r', point(1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toHaveLength(1);
    expect(batcher.pending).toBe(0);
  });

  it('keeps runs apart: each write holds one run', async () => {
    const { sink, writes } = recordingSink();
    const batcher = new MetricBatcher(sink, { flushIntervalMs: 0 });
    await batcher.add('a', point(1));
    await batcher.add('a', point(2));
    await batcher.add('b', point(3));
    await batcher.add('a', point(4));
    await batcher.flush();
    expect(writes.map((write) => [write.runId, write.metrics.map((m) => m.step)])).toEqual([
      ['a', [1, 2]],
      ['b', [3]],
      ['a', [4]],
    ]);
  });

  it('applies backpressure instead of growing past maxQueueSize', async () => {
    const { sink, writes } = recordingSink({ delayMs: 5 });
    const batcher = new MetricBatcher(sink, { batchSize: 10, maxQueueSize: 20, flushIntervalMs: 0 });
    let waited = 0;
    for (let step = 0; step < 200; step += 1) {
      const result = batcher.add('r', point(step));
      if (result !== undefined) {
        waited += 1;
        await result;
      }
      expect(batcher.pending).toBeLessThanOrEqual(20);
    }
    await batcher.flush();
    expect(waited).toBeGreaterThan(0);
    expect(writes.flatMap((write) => write.metrics.map((m) => m.step))).toEqual([...Array(200).keys()]);
  });

  it('rejects an invalid point at the call, naming the field', () => {
    const batcher = new MetricBatcher(recordingSink().sink, { flushIntervalMs: 0 });
    expect(() => batcher.add('r', { key: 'bad key!', value: 1, timestamp: 1, step: 0 })).toThrow(
      /metric name/u,
    );
    expect(batcher.pending).toBe(0);
  });

  it('surfaces a failed background write on the next call, once', async () => {
    const { sink, writes } = recordingSink({ failOn: 1 });
    const batcher = new MetricBatcher(sink, { batchSize: 2, flushIntervalMs: 0 });
    await batcher.add('r', point(1));
    await batcher.add('r', point(2)); // triggers the write that fails
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(() => batcher.add('r', point(3))).toThrow('store refused the batch');
    await batcher.add('r', point(4));
    await batcher.flush();
    expect(writes.flatMap((write) => write.metrics.map((m) => m.step))).toEqual([4]);
  });

  it('rejects flush() when a write fails', async () => {
    const batcher = new MetricBatcher(recordingSink({ failOn: 1 }).sink, { flushIntervalMs: 0 });
    await batcher.add('r', point(1));
    await expect(batcher.flush()).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(batcher.flush()).resolves.toBeUndefined();
  });
});
