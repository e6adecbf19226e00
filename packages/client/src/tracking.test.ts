import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metric, TrackingStore } from '@cairn/core';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { fixedSystemTags, tempDir } from './test-helpers.js';
import { createTracking, type TrackingOptions } from './tracking.js';

let names = 0;
const memoryUri = () => `memory:tracking-test-${++names}`;
const tracking = (options: TrackingOptions = {}) =>
  createTracking({
    trackingUri: memoryUri(),
    env: {},
    exitHook: false,
    systemTags: fixedSystemTags,
    ...options,
  });

describe('fluent API: runs', () => {
  it('starts a run in the Default experiment with MLflow system tags and a generated name', async () => {
    const t = createTracking({ trackingUri: memoryUri(), env: {}, exitHook: false });
    const run = await t.startRun();
    const stored = await t.client().getRun(run.runId);
    expect(stored.info.experiment_id).toBe('0');
    expect(stored.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/u);
    const tags = Object.fromEntries(stored.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    expect(tags['mlflow.user']).toBeTruthy();
    expect(tags['mlflow.source.name']).toBe(process.argv[1]);
    expect(tags['mlflow.runName']).toBe(stored.info.run_name);
    // This repository is a git checkout, so the commit is recorded, as MLflow does.
    expect(tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/u);
    await t.endRun();
  });

  it('uses setExperiment, creating the experiment by name, and honours runName and tags', async () => {
    const t = tracking();
    const experiment = await t.setExperiment('vision');
    expect((await t.setExperiment('vision')).experiment_id).toBe(experiment.experiment_id);
    const run = await t.startRun({ runName: 'first', tags: { team: 'a' }, description: 'notes' });
    const stored = await t.client().getRun(run.runId);
    expect(stored.info).toMatchObject({
      experiment_id: experiment.experiment_id,
      run_name: 'first',
      user_id: 'tester',
    });
    expect(stored.data.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'a' },
        { key: 'mlflow.note.content', value: 'notes' },
      ]),
    );
    await t.endRun();
    expect((await t.client().getRun(run.runId)).info.status).toBe('FINISHED');
  });

  it('refuses a second top-level run, nests with nested: true, and ends children with their parent', async () => {
    const t = tracking();
    const parent = await t.startRun({ runName: 'parent' });
    await expect(t.startRun()).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    const child = await t.startRun({ runName: 'child', nested: true });
    expect(t.activeRun()?.runId).toBe(child.runId);
    const stored = await t.client().getRun(child.runId);
    expect(stored.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parent.runId });
    await parent.end('KILLED');
    expect(t.activeRun()).toBeUndefined();
    expect((await t.client().getRun(child.runId)).info.status).toBe('KILLED');
  });

  it('withRun ends FINISHED, or FAILED and rethrows', async () => {
    const t = tracking();
    const ok = await t.withRun({ runName: 'ok' }, async (run) => run.runId);
    expect((await t.client().getRun(ok)).info.status).toBe('FINISHED');
    let failedId = '';
    await expect(
      t.withRun({}, async (run) => {
        failedId = run.runId;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const failed = await t.client().getRun(failedId);
    expect(failed.info.status).toBe('FAILED');
    expect(failed.info.end_time).toBeGreaterThan(0);
    expect(t.activeRun()).toBeUndefined();
  });

  it('`await using` ends the run when the scope ends, even on throw', async () => {
    const t = tracking();
    let runId = '';
    try {
      await using run = await t.startRun();
      runId = run.runId;
      await t.logMetric('acc', 0.5);
      throw new Error('leave the scope');
    } catch {
      // expected
    }
    const stored = await t.client().getRun(runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.data.metrics.map((m) => m.key)).toEqual(['acc']);
    expect(t.activeRun()).toBeUndefined();
  });

  it('starts a run on first use, once, however many calls race', async () => {
    const t = tracking();
    await Promise.all([t.logParam('a', 1), t.setTag('b', 'x'), t.logMetric('c', 1)]);
    const run = t.activeRun();
    expect(run).toBeDefined();
    await t.endRun();
    const stored = await t.client().getRun(run?.runId ?? '');
    expect(stored.data.params).toEqual([{ key: 'a', value: '1' }]);
    expect(stored.data.metrics.map((m) => m.key)).toEqual(['c']);
  });
});

describe('fluent API: environment variables', () => {
  it('MLFLOW_TRACKING_URI picks the store', async () => {
    const root = await tempDir();
    const t = createTracking({
      env: { MLFLOW_TRACKING_URI: join(root, 'mlruns') },
      exitHook: false,
      systemTags: fixedSystemTags,
    });
    expect(t.getTrackingUri()).toBe(join(root, 'mlruns'));
    await t.withRun({}, async () => {});
    const meta = await readFile(join(root, 'mlruns', '0', 'meta.yaml'), 'utf8');
    expect(meta).toContain('name: Default');
  });

  it('MLFLOW_EXPERIMENT_NAME creates and uses the experiment; MLFLOW_EXPERIMENT_ID selects one', async () => {
    const uri = memoryUri();
    const byName = createTracking({
      trackingUri: uri,
      env: { MLFLOW_EXPERIMENT_NAME: 'from-env' },
      exitHook: false,
    });
    const run = await byName.startRun();
    const experiment = await byName.client().getExperimentByName('from-env');
    expect(run.info.experiment_id).toBe(experiment?.experiment_id);
    await byName.endRun();
    const byId = createTracking({
      trackingUri: uri,
      env: { MLFLOW_EXPERIMENT_ID: run.info.experiment_id },
      exitHook: false,
    });
    expect((await byId.startRun()).info.experiment_id).toBe(run.info.experiment_id);
    await byId.endRun();
  });

  it('MLFLOW_RUN_ID resumes that run', async () => {
    const uri = memoryUri();
    const first = tracking({ trackingUri: uri });
    const original = await first.startRun();
    await first.endRun();
    const resumed = tracking({ trackingUri: uri, env: { MLFLOW_RUN_ID: original.runId } });
    const run = await resumed.startRun();
    expect(run.runId).toBe(original.runId);
    expect(run.info.status).toBe('RUNNING');
    await resumed.endRun();
  });
});

describe('fluent API: metrics go through the batcher', () => {
  it('logMetric returns before any write; endRun flushes every point in order', async () => {
    const inner = createMemoryTrackingStore();
    let writes = 0;
    const store: TrackingStore = {
      ...inner,
      logBatch: async (input) => {
        writes += 1;
        await inner.logBatch(input);
      },
    };
    const t = tracking({ store, batching: { flushIntervalMs: 0 } });
    const run = await t.startRun();
    for (let step = 0; step < 2_500; step += 1)
      await t.logMetric('loss', 1 / (step + 1), { step, timestamp: 1000 + step });
    await t.endRun();
    const history = await t.client().getMetricHistory(run.runId, 'loss');
    expect(history.map((point: Metric) => point.step)).toEqual([...Array(2_500).keys()]);
    expect(writes).toBeLessThanOrEqual(4); // 2,500 points in batches of 1,000 (+ the endRun update is not a batch)
  });

  it('logMetrics logs several keys with one step', async () => {
    const t = tracking();
    const run = await t.startRun();
    await t.logMetrics({ a: 1, b: 2 }, { step: 7 });
    await t.endRun();
    const stored = await t.client().getRun(run.runId);
    expect(stored.data.metrics.map((m) => [m.key, m.value, m.step]).sort()).toEqual([
      ['a', 1, 7],
      ['b', 2, 7],
    ]);
  });

  it('a failed flush is thrown by endRun and the run ends FAILED, not FINISHED', async () => {
    const inner = createMemoryTrackingStore();
    const store: TrackingStore = {
      ...inner,
      logBatch: async (input) => {
        if ((input.metrics ?? []).length > 0) throw new Error('disk full');
        await inner.logBatch(input);
      },
    };
    const t = tracking({ store, batching: { flushIntervalMs: 0 } });
    const run = await t.startRun();
    await t.logMetric('loss', 1);
    await expect(t.endRun()).rejects.toThrow('disk full');
    expect((await inner.getRun(run.runId)).info.status).toBe('FAILED');
  });
});

describe('fluent API: artifacts', () => {
  it('logText, logDict (JSON and YAML) and logArtifact land in the run artifacts', async () => {
    const root = await tempDir();
    const t = createTracking({
      trackingUri: join(root, 'mlruns'),
      env: {},
      exitHook: false,
      systemTags: fixedSystemTags,
    });
    const run = await t.startRun();
    await t.logText('hello', 'notes/hello.txt');
    await t.logDict({ a: 1, b: [1, 2] }, 'config.json');
    await t.logDict({ a: 1 }, 'config.yaml');
    await t.logArtifact(join(root, 'mlruns', '0', 'meta.yaml'), 'copied');
    await t.endRun();
    const client = t.client();
    expect((await client.listArtifacts(run.runId)).map((f) => f.path)).toEqual([
      'config.json',
      'config.yaml',
      'copied',
      'notes',
    ]);
    const dst = await client.downloadArtifacts({ runId: run.runId, dstPath: join(root, 'out') });
    expect(JSON.parse(await readFile(join(dst, 'config.json'), 'utf8'))).toEqual({ a: 1, b: [1, 2] });
    expect(await readFile(join(dst, 'config.yaml'), 'utf8')).toBe('a: 1\n');
    expect(await readFile(join(dst, 'notes', 'hello.txt'), 'utf8')).toBe('hello');
  });
});
