import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metric, TrackingStore } from '@cairn/core';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';

/**
 * Differential check of the SQL sampler (which counts progressions arithmetically and anything else in
 * SQL) against the memory store's whole-history one: random runs whose steps are dense, every k-th, offset,
 * gapped, repeated or random, and random ranges and sizes, must give the same points in the same order.
 */

/** One run's steps: a progression, optionally with steps removed, repeated or added. */
const runSteps = fc
  .record({
    first: fc.integer({ min: -20, max: 40 }),
    stride: fc.integer({ min: 1, max: 4 }),
    length: fc.integer({ min: 1, max: 60 }),
    holes: fc.array(fc.nat(59), { maxLength: 3 }),
    extra: fc.array(fc.integer({ min: -30, max: 300 }), { maxLength: 3 }),
    repeat: fc.array(fc.nat(59), { maxLength: 3 }),
  })
  .map(({ first, stride, length, holes, extra, repeat }) => {
    const steps = Array.from({ length }, (_, i) => first + i * stride).filter((_, i) => !holes.includes(i));
    return [
      ...steps,
      ...extra,
      ...repeat.flatMap((i) => (steps[i] === undefined ? [] : [steps[i] as number])),
    ];
  });

const request = fc.record({
  range: fc.option(
    fc
      .tuple(fc.integer({ min: -30, max: 200 }), fc.integer({ min: 0, max: 200 }))
      .map(([a, b]) => [a, a + b] as const),
    { nil: undefined },
  ),
  maxResults: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
});

describe('SQL metric sampling agrees with the whole-history reference', () => {
  let sqlStore: TrackingStore;
  let memoryStore: TrackingStore;
  beforeAll(() => {
    sqlStore = createSqlTrackingStore({
      uri: `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sampling-')), 'm.db')}`,
    });
    memoryStore = createMemoryTrackingStore();
  });
  afterAll(async () => {
    await sqlStore.close();
    await memoryStore.close();
  });

  async function logRuns(store: TrackingStore, runs: number[][]): Promise<string[]> {
    const experimentId = await store.createExperiment({ name: `fuzz-${Math.random()}` });
    const ids: string[] = [];
    for (const steps of runs) {
      const runId = (await store.createRun({ experimentId })).info.run_id;
      const metrics: Metric[] = steps.map((step, i) => ({
        key: 'm',
        // Math.abs: % of a negative step can give -0, which SQLite stores as an integer 0 (as for MLflow).
        value: Math.abs((step * 31 + i) % 17),
        timestamp: i,
        step,
      }));
      await store.logBatch({ runId, metrics });
      ids.push(runId);
    }
    return ids;
  }

  it('for random step shapes, ranges and sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runSteps, { minLength: 1, maxLength: 4 }), request, async (runs, query) => {
        const [sqlIds, memoryIds] = [await logRuns(sqlStore, runs), await logRuns(memoryStore, runs)];
        const ask = (runIds: string[]) => ({
          runIds,
          metricKey: 'm',
          ...(query.range === undefined ? {} : { startStep: query.range[0], endStep: query.range[1] }),
          ...(query.maxResults === undefined ? {} : { maxResults: query.maxResults }),
        });
        const position = (ids: string[]) => (point: { run_id: string }) => ids.indexOf(point.run_id);
        const fromSql = (await sqlStore.getMetricHistoryBulkInterval(ask(sqlIds))).map((point) => ({
          ...point,
          run_id: position(sqlIds)(point),
        }));
        const fromMemory = (await memoryStore.getMetricHistoryBulkInterval(ask(memoryIds))).map((point) => ({
          ...point,
          run_id: position(memoryIds)(point),
        }));
        expect(fromSql).toEqual(fromMemory);
      }),
      { numRuns: 60 },
    );
  });
});
