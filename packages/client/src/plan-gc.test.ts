import { createMemoryTrackingStore } from '@cairn/store-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseOlderThan, planGc } from './plan-gc.js';

const day = 24 * 60 * 60 * 1000;

afterEach(() => {
  vi.useRealTimers();
});

describe('parseOlderThan', () => {
  it('parses durations as mlflow gc does', () => {
    expect(parseOlderThan('30d')).toBe(30 * day);
    expect(parseOlderThan('1d2h3m4s')).toBe(day + 2 * 3600_000 + 3 * 60_000 + 4000);
    expect(parseOlderThan('1.5h')).toBe(5400_000);
    for (const bad of ['', '3 days', 'd', '5x', '-1d'])
      expect(() => parseOlderThan(bad)).toThrow(/older-than/u);
  });
});

describe('planGc', () => {
  it('lists runs deleted longer ago than the cutoff and deleted experiments with all their runs', async () => {
    const store = createMemoryTrackingStore({ artifactRoot: 'memory://gc' });
    const kept = await store.createExperiment({ name: 'kept' });
    const run = async (experimentId: string) => (await store.createRun({ experimentId })).info.run_id;
    const active = await run(kept);
    const old = await run(kept);
    const young = await run(kept);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 40 * day);
    await store.deleteRun(old);
    const gone = await store.createExperiment({ name: 'gone' });
    const inGone = await run(gone);
    await store.deleteExperiment(gone);
    vi.useRealTimers();
    await store.deleteRun(young);

    const plan = await planGc(store, { olderThanMs: 30 * day });
    expect(plan.runs.map((entry) => entry.run_id).sort()).toEqual([old, inGone].sort());
    expect(plan.runs.map((entry) => entry.run_id)).not.toContain(active);
    expect(plan.experiments).toEqual([
      expect.objectContaining({ experiment_id: gone, name: 'gone', delete_artifact_location: true }),
    ]);
    expect((await planGc(store, { olderThanMs: 0 })).runs.map((entry) => entry.run_id)).toContain(young);
    await expect(planGc(store, { olderThanMs: 0, runIds: [active] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });
});
