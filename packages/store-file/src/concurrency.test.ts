import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFileRegistryStore } from './file-registry-store.js';
import { createFileTrackingStore } from './file-tracking-store.js';

const child = (name: string) => fileURLToPath(new URL(`./__children__/${name}`, import.meta.url));

/** Runs a TypeScript child in its own Node process (tsx), resolving workspace packages from source. */
function spawnChild(name: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions', 'development', child(name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // `--import tsx` resolves from the working directory; the package's folder finds the workspace's tsx.
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}

const exited = (process: ChildProcess) =>
  new Promise<number | null>((resolve, reject) => {
    process.once('error', reject);
    process.once('exit', (code) => resolve(code));
  });

async function freshRun() {
  const root = join(await mkdtemp(join(tmpdir(), 'cairn-concurrency-')), 'mlruns');
  const store = createFileTrackingStore({ root });
  const experimentId = await store.createExperiment({ name: 'shared' });
  const run = await store.createRun({ experimentId, runName: 'shared-run' });
  return { root, store, runId: run.info.run_id };
}

describe('two processes logging to one run', () => {
  it('lose no metric point, param or tag', { timeout: 120_000 }, async () => {
    const { root, store, runId } = await freshRun();
    const points = 2_000;
    const tags = 200;
    const codes = await Promise.all(
      ['a', 'b'].map((writer) =>
        exited(spawnChild('log-to-run.ts', [root, runId, writer, String(points), String(tags)])),
      ),
    );
    expect(codes).toEqual([0, 0]);

    const reader = createFileTrackingStore({ root });
    for (const writer of ['a', 'b']) {
      let count = 0;
      let pageToken: string | undefined;
      do {
        const page = await reader.getMetricHistory({ runId, metricKey: `loss_${writer}`, pageToken });
        count += page.items.length;
        pageToken = page.nextPageToken;
      } while (pageToken !== undefined);
      expect(count).toBe(points);
    }
    const shared = await reader.getMetricHistory({ runId, metricKey: 'shared' });
    expect(shared.items).toHaveLength(2 * (points / 100));
    const run = await reader.getRun(runId);
    const keys = new Set(run.data.tags.map((tag) => tag.key));
    const params = new Set(run.data.params.map((param) => param.key));
    const runDir = join(root, run.info.experiment_id, runId);
    for (const folder of ['tags', 'params', 'metrics']) {
      const names = await readdir(join(runDir, folder));
      expect(names.filter((name) => name.includes('~'))).toEqual([]);
    }
    for (const writer of ['a', 'b']) {
      for (let i = 0; i < tags; i += 1) {
        expect(keys.has(`tag_${writer}_${i}`)).toBe(true);
        expect(params.has(`p_${writer}_${i}`)).toBe(true);
      }
    }
    // meta.yaml, rewritten by both under the run's lock, is whole and names the last rename.
    const meta = parse(await readFile(join(root, run.info.experiment_id, runId, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({ run_id: runId, run_name: run.info.run_name, lifecycle_stage: 'active' });
    // The last rename wins, and meta.yaml and the mlflow.runName tag agree on it.
    expect(['renamed-by-a', 'renamed-by-b']).toContain(run.info.run_name);
    expect(run.data.tags.find((tag) => tag.key === 'mlflow.runName')?.value).toBe(run.info.run_name);
    await store.close();
  });
});

describe('a process killed while rewriting meta.yaml', () => {
  // Each round waits for the lock the previous victim died holding to go stale (proper-lockfile, 10 s).
  it('never leaves a half-written meta.yaml, nor a lock that wedges the run', {
    timeout: 120_000,
  }, async () => {
    const { root, store, runId } = await freshRun();
    const run = await store.getRun(runId);
    const metaPath = join(root, run.info.experiment_id, runId, 'meta.yaml');
    const runMetaAtStart = await readFile(metaPath, 'utf8');
    for (let round = 1; round <= 3; round += 1) {
      const first = round * 1_000_000;
      const writer = spawnChild('rewrite-meta.ts', [root, runId, String(first)]);
      await new Promise<void>((resolve) => writer.stdout?.once('data', () => resolve()));
      // Let it write for a while, then kill it without warning, at a random moment.
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      writer.kill('SIGKILL');
      await exited(writer);
      const meta = parse(await readFile(metaPath, 'utf8'));
      expect(Object.keys(meta).sort()).toEqual(Object.keys(parse(runMetaAtStart)).sort());
      expect(meta).toMatchObject({
        run_id: runId,
        experiment_id: run.info.experiment_id,
        lifecycle_stage: 'active',
        status: 1,
      });
      // This round's writer got through: its end times start at `first`.
      expect(meta.end_time).toBeGreaterThanOrEqual(first);
      expect(meta.run_name).toBe(`name-${meta.end_time}-${'x'.repeat((meta.end_time - first) % 200)}`);
      const reread = await createFileTrackingStore({ root }).getRun(runId);
      expect(reread.info).toMatchObject({ run_id: runId, end_time: meta.end_time, run_name: meta.run_name });
      // Temp files a killed writer left behind are never read as tags, and never sit in tags/ or params/,
      // where MLflow would reject the name and fail the whole run.
      expect(reread.data.tags.map((tag) => tag.key).sort()).toEqual(['mlflow.runName']);
      const runDir = join(root, run.info.experiment_id, runId);
      expect(await readdir(join(runDir, 'tags'))).toEqual(['mlflow.runName']);
      expect(await readdir(join(runDir, 'params'))).toEqual([]);
    }
    await store.close();
  });
});

describe('two processes registering versions of one model', () => {
  it('give every version its own number and lose none', { timeout: 120_000 }, async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'cairn-registry-concurrency-')), 'mlruns');
    const store = createFileRegistryStore({ root });
    await store.createRegisteredModel({ name: 'shared' });
    const count = 15;
    const codes = await Promise.all(
      ['a', 'b'].map((writer) =>
        exited(spawnChild('create-versions.ts', [root, 'shared', writer, String(count)])),
      ),
    );
    expect(codes).toEqual([0, 0]);
    const versions = (await store.searchModelVersions({ filter: "name = 'shared'" })).items;
    expect(versions.map((version) => Number(version.version)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 2 * count }, (_, index) => index + 1),
    );
    for (const writer of ['a', 'b']) {
      const sources = versions
        .filter((version) => version.tags[0]?.value === writer)
        .map((version) => version.source);
      expect(sources.sort()).toEqual(
        Array.from({ length: count }, (_, index) => `s3://bucket/${writer}/${index}`).sort(),
      );
    }
    // Nothing transient is left in the tree.
    expect((await readdir(root)).sort()).toEqual(['models']);
  });
});
