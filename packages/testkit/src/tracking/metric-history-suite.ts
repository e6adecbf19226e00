import type { Metric } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext } from './tracking-context.js';

const point = (entry: Metric) => [entry.timestamp, entry.step, entry.value];

/** Metric history: every point kept, ordered by (timestamp, step, value), paged. */
export function metricHistorySuite(context: TrackingSuiteContext): void {
  const { store } = context;

  async function history(runId: string, metricKey: string, maxResults?: number): Promise<Metric[]> {
    const items: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store().getMetricHistory({
        runId,
        metricKey,
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      items.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return items;
  }

  it('returns every logged point with its key', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [metric('loss', 3, 10, 0), metric('loss', 2, 20, 1), metric('loss', 1, 30, 2)],
    });
    const points = await history(runId, 'loss');
    expect(points.map(point)).toEqual([
      [10, 0, 3],
      [20, 1, 2],
      [30, 2, 1],
    ]);
    expect(points.every((entry) => entry.key === 'loss')).toBe(true);
  });

  it('orders points by timestamp, then step, then value, whatever the logging order', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const logged = [
      metric('m', 5, 200, 1),
      metric('m', 4, 100, 2),
      metric('m', 3, 100, 1),
      metric('m', 9, 100, 1),
      metric('m', 1, 50, 9),
    ];
    for (const entry of logged) await store().logBatch({ runId, metrics: [entry] });
    expect((await history(runId, 'm')).map(point)).toEqual([
      [50, 9, 1],
      [100, 1, 3],
      [100, 1, 9],
      [100, 2, 4],
      [200, 1, 5],
    ]);
  });

  it('keeps several values at the same step', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: [metric('m', 1, 10, 4), metric('m', 2, 11, 4), metric('m', 3, 11, 4)],
    });
    expect(await history(runId, 'm')).toHaveLength(3);
  });

  it('keeps NaN, +Infinity and -Infinity points', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
    await store().logBatch({
      runId,
      metrics: values.map((value, index) => metric('odd', value, 100 + index, index)),
    });
    const read = (await history(runId, 'odd')).map((entry) => entry.value);
    expect(read).toHaveLength(4);
    expect(Number.isNaN(read[0])).toBe(true);
    expect(read.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
  });

  it('keeps points logged in separate batches', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    for (let step = 0; step < 5; step += 1) {
      await store().logBatch({ runId, metrics: [metric('m', step / 10, 1000 + step, step)] });
    }
    expect((await history(runId, 'm')).map((entry) => entry.step)).toEqual([0, 1, 2, 3, 4]);
  });

  it('returns only the requested key', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, metrics: [metric('a', 1), metric('b', 2), metric('a', 3, 2000)] });
    expect((await history(runId, 'a')).map((entry) => entry.value)).toEqual([1, 3]);
  });

  it('returns an empty history for a key never logged', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    const page = await store().getMetricHistory({ runId, metricKey: 'never' });
    expect(page.items).toEqual([]);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('fails for an unknown run with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(
      store().getMetricHistory({ runId: 'ffffffffffffffffffffffffffffffff', metricKey: 'm' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('still reads the history of a deleted run', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({ runId, metrics: [metric('m', 1)] });
    await store().deleteRun(runId);
    expect(await history(runId, 'm')).toHaveLength(1);
  });

  it('pages a long history without repeating or skipping points', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: Array.from({ length: 25 }, (_, i) => metric('m', i, 1000 + i, i)),
    });
    const first = await store().getMetricHistory({ runId, metricKey: 'm', maxResults: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.nextPageToken).toBeDefined();
    const all = await history(runId, 'm', 10);
    expect(all.map((entry) => entry.step)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('pages correctly when points are logged between pages', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await store().logBatch({
      runId,
      metrics: Array.from({ length: 6 }, (_, i) => metric('m', i, 1000 + i, i)),
    });
    const first = await store().getMetricHistory({ runId, metricKey: 'm', maxResults: 3 });
    await store().logBatch({ runId, metrics: [metric('m', 99, 999, 99), metric('m', 100, 2000, 100)] });
    const second = await store().getMetricHistory({
      runId,
      metricKey: 'm',
      maxResults: 3,
      ...(first.nextPageToken === undefined ? {} : { pageToken: first.nextPageToken }),
    });
    const seen = [...first.items, ...second.items].map((entry) => entry.step);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(second.items.map((entry) => entry.step)).toEqual([3, 4, 5]);
  });

  it.each([0, -1, 1.5])('rejects maxResults %s with INVALID_PARAMETER_VALUE', async (maxResults) => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(
      store().getMetricHistory({ runId, metricKey: 'm', maxResults }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('rejects a garbage page token with INVALID_PARAMETER_VALUE', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await expectCairnError(
      store().getMetricHistory({ runId, metricKey: 'm', pageToken: 'not-a-token' }),
      'INVALID_PARAMETER_VALUE',
    );
  });
}
