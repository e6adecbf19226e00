import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';
import { tempDir } from './test-helpers.js';

// These run a real script in a child process, because what is tested is what happens when a process
// runs out of work without ending its run: only a fresh process has an event loop that drains.
const packageRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const source = (file: string) => JSON.stringify(join(packageRoot, 'src', file));
const storeMemorySource = JSON.stringify(resolve(packageRoot, '..', 'store-memory', 'src', 'index.ts'));

async function runScript(body: string, env: Record<string, string> = {}) {
  const dir = await tempDir('cairn-exit-');
  const script = join(dir, 'train.mts');
  await writeFile(script, body);
  const child = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', script], {
    // tsx is resolved from the package, which the temp dir is not inside.
    cwd: packageRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 60_000,
  });
  return { dir, script, status: child.status, stderr: child.stderr };
}

describe('exit hook', () => {
  it('a script that never ends its run still has every point stored and the run FINISHED (module-level API)', async () => {
    const root = await tempDir('cairn-exit-store-');
    const result = await runScript(
      `import { logMetric, logParam, startRun } from ${source('index.ts')};
await startRun({ runName: 'left-open' });
await logParam('lr', 0.1);
for (let step = 0; step < 2_500; step += 1) logMetric('loss', step / 10, { step });
`,
      { MLFLOW_TRACKING_URI: join(root, 'mlruns'), MLFLOW_EXPERIMENT_NAME: 'exit-hook' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const client = createCairnClient({ trackingUri: join(root, 'mlruns'), env: {} });
    const experiment = await client.getExperimentByName('exit-hook');
    const [run] = (await client.searchRuns({ experimentIds: [experiment?.experiment_id ?? ''] })).items;
    expect(run?.info.run_name).toBe('left-open');
    expect(run?.info.status).toBe('FINISHED');
    const tags = Object.fromEntries((run?.data.tags ?? []).map((tag) => [tag.key, tag.value]));
    expect(tags['mlflow.source.name']).toBe(result.script);
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    expect(run?.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    const history = await client.getMetricHistory(run?.info.run_id ?? '', 'loss');
    expect(history.map((point) => point.step)).toEqual([...Array(2_500).keys()]);
    await client.close();
  }, 60_000);

  it('a flush that fails at exit is reported on stderr with exit code 1, not swallowed', async () => {
    const result = await runScript(
      `import { createTracking } from ${source('index.ts')};
import { createMemoryTrackingStore } from ${storeMemorySource};
const inner = createMemoryTrackingStore();
const store = {
  ...inner,
  logBatch: async (input) => {
    if ((input.metrics ?? []).length > 0) throw new Error('disk full');
    await inner.logBatch(input);
  },
};
const tracking = createTracking({ store, env: {} });
await tracking.startRun();
tracking.logMetric('loss', 1);
`,
    );
    expect(result.stderr).toContain('could not flush metrics before exit: disk full');
    expect(result.status).toBe(1);
  }, 60_000);
});
