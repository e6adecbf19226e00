import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { metric, type TrackingSuiteContext, uniqueName } from './tracking-context.js';

/** Concurrency: parallel calls from one process lose nothing and keep uniqueness. */
export function concurrencySuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('keeps every metric point of many parallel logBatch calls on one run', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await Promise.all(
      Array.from({ length: 50 }, (_, batch) =>
        store().logBatch({
          runId,
          metrics: Array.from({ length: 10 }, (_, i) =>
            metric('loss', batch * 10 + i, 1000 + batch * 10 + i, batch * 10 + i),
          ),
        }),
      ),
    );
    const page = await store().getMetricHistory({ runId, metricKey: 'loss' });
    expect(page.items.map((entry) => entry.step).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
    expect((await store().getRun(runId)).data.metrics).toMatchObject([{ key: 'loss', step: 499 }]);
  });

  it('keeps every param and tag of parallel logBatch calls', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store().logBatch({
          runId,
          params: [{ key: `p${i}`, value: String(i) }],
          tags: [{ key: `t${i}`, value: String(i) }],
        }),
      ),
    );
    const run = await store().getRun(runId);
    expect(run.data.params).toHaveLength(40);
    expect(run.data.tags.filter((tag) => /^t\d+$/.test(tag.key))).toHaveLength(40);
  });

  it('keeps distinct metric keys logged in parallel', async () => {
    const { run_id: runId } = (await context.createRun()).info;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store().logBatch({ runId, metrics: [metric(`k${i}`, i)] })),
    );
    expect((await store().getRun(runId)).data.metrics).toHaveLength(30);
  });

  it('creates runs in parallel with distinct ids, all searchable', async () => {
    const experimentId = await context.createExperiment();
    const runs = await Promise.all(Array.from({ length: 25 }, () => store().createRun({ experimentId })));
    expect(new Set(runs.map((run) => run.info.run_id)).size).toBe(25);
    const page = await store().searchRuns({ experimentIds: [experimentId] });
    expect(page.items).toHaveLength(25);
  });

  it('lets exactly one of several parallel creations of one experiment name win', async () => {
    const name = uniqueName('race');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => store().createExperiment({ name })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        await expectCairnError(Promise.reject(result.reason), 'RESOURCE_ALREADY_EXISTS');
    }
  });

  it('gives parallel experiments distinct ids', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => context.createExperiment('parallel')));
    expect(new Set(ids).size).toBe(10);
  });
}
