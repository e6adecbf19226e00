import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveServerOptions, startServer } from '@cairn/server-start';
import { beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, Record<string, string>>;
}

/** The publishable workspace packages (apps and test workspaces are private). */
async function publicPackages(): Promise<{ dir: string; manifest: PackageJson }[]> {
  const found = [];
  for (const name of await readdir(join(repo, 'packages'))) {
    const dir = join(repo, 'packages', name);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
    if (manifest.private !== true) found.push({ dir, manifest });
  }
  return found;
}

/** Reads package/package.json out of a tarball without unpacking it to disk. */
async function packedManifest(tarball: string): Promise<PackageJson> {
  const { stdout } = await exec('tar', ['-xzOf', tarball, 'package/package.json']);
  return JSON.parse(stdout) as PackageJson;
}

const esmScript = `
import { readFile } from 'node:fs/promises';
import { createCairnClient } from '@cairn/client';
import { parseSearchFilter } from '@cairn/core';

for (const trackingUri of ['./mlruns', 'sqlite:///mlflow.db']) {
  const client = createCairnClient({ trackingUri });
  const experimentId = await client.createExperiment('packed');
  const run = await client.createRun(experimentId, { runName: 'from-tarballs' });
  await client.logBatch(run.info.run_id, {
    metrics: [{ key: 'acc', value: 0.5, timestamp: 1, step: 0 }],
    params: [{ key: 'lr', value: '0.1' }],
    tags: [],
  });
  await client.logText(run.info.run_id, 'hello', 'notes.txt');
  const found = await client.searchRuns({ experimentIds: [experimentId], filter: 'metrics.acc > 0.4' });
  const local = await client.downloadArtifacts({ runId: run.info.run_id, artifactPath: 'notes.txt' });
  console.log(JSON.stringify({ trackingUri, runs: found.items.length, text: await readFile(local, 'utf8') }));
  await client.close();
}
console.log(JSON.stringify({ clauses: parseSearchFilter("params.lr = '0.1'", 'runs').clauses.length }));
`;

const typescriptSource = `
import { createCairnClient, type CairnClient } from '@cairn/client';
import { CairnError, type Run } from '@cairn/core';
import { createServer } from '@cairn/server';
import { createMemoryTrackingStore } from '@cairn/store-memory';

const client: CairnClient = createCairnClient({ trackingUri: './mlruns' });
export async function firstRun(experimentId: string): Promise<Run | undefined> {
  const page = await client.searchRuns({ experimentIds: [experimentId] });
  return page.items[0];
}
export const isCairnError = (value: unknown): boolean => CairnError.isInstance(value);
export const app = createServer({ trackingStore: createMemoryTrackingStore() });
`;

/**
 * A user outside the monorepo: tarballs made by `pnpm pack` (workspace:* turned into versions) installed into
 * a fresh npm project, then used from plain ESM and type-checked from TypeScript (NodeNext, strict).
 */
describe('the packages as tarballs in a fresh npm project', () => {
  const work = { project: '', tarballs: new Map<string, string>() };

  beforeAll(async () => {
    const packs = await mkdtemp(join(tmpdir(), 'cairn-packs-'));
    for (const { dir, manifest } of await publicPackages()) {
      const { stdout } = await exec(pnpm, ['pack', '--pack-destination', packs], { cwd: dir });
      const tarball = stdout.trim().split('\n').at(-1) ?? '';
      expect(tarball.endsWith('.tgz')).toBe(true);
      work.tarballs.set(manifest.name, tarball);
    }
    work.project = await mkdtemp(join(tmpdir(), 'cairn-consumer-'));
    const fromTarballs = Object.fromEntries([...work.tarballs].map(([name, file]) => [name, `file:${file}`]));
    await writeFile(
      join(work.project, 'package.json'),
      JSON.stringify({
        name: 'cairn-consumer',
        private: true,
        type: 'module',
        dependencies: {
          '@cairn/client': fromTarballs['@cairn/client'],
          '@cairn/core': fromTarballs['@cairn/core'],
          '@cairn/server': fromTarballs['@cairn/server'],
          '@cairn/store-memory': fromTarballs['@cairn/store-memory'],
          // The local stores are optional peers of the client: a user who logs locally installs them.
          '@cairn/store-file': fromTarballs['@cairn/store-file'],
          '@cairn/store-sql': fromTarballs['@cairn/store-sql'],
          'better-sqlite3': '12.9.0',
          '@types/node': '20.19.43',
        },
        // The packages depend on each other by version; nothing is on a registry yet, so point those at the tarballs.
        overrides: fromTarballs,
      }),
    );
    // Install scripts off: better-sqlite3 would compile SQLite from source (minutes on a shared CI machine).
    // Its native module is then taken from the monorepo's build of the same version, which is what it would make.
    await exec('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work.project,
    });
    const addon = join('build', 'Release', 'better_sqlite3.node');
    const built = join(repo, 'packages', 'store-sql', 'node_modules', 'better-sqlite3', addon);
    const target = join(work.project, 'node_modules', 'better-sqlite3', addon);
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(built, target);
  }, 600_000);

  it('has every workspace:* dependency replaced by a version and no source-only export condition', async () => {
    for (const [name, tarball] of work.tarballs) {
      const manifest = await packedManifest(tarball);
      expect(manifest.name).toBe(name);
      for (const [dependency, range] of Object.entries({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
      })) {
        expect(range, `${name} -> ${dependency}`).not.toMatch(/^workspace:/u);
      }
      expect(JSON.stringify(manifest.exports), name).not.toContain('development');
      expect(JSON.stringify(manifest.exports), name).not.toContain('./src/');
    }
  });

  it('keeps the frameworks of flavors peer dependencies: @cairn/onnx does not install onnxruntime-node itself', async () => {
    const manifest = await packedManifest(work.tarballs.get('@cairn/onnx') ?? '');
    expect(manifest.peerDependencies).toMatchObject({ 'onnxruntime-node': expect.any(String) });
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('onnxruntime-node');
  });

  it('is released by changesets in lockstep, with a version for every public package', async () => {
    // Regression: the fixed group "@cairn/*" also matched the version-less private workspaces and
    // `changeset status` / `changeset version` crashed ("Invalid version").
    const output = join(await mkdtemp(join(tmpdir(), 'cairn-changesets-')), 'status.json');
    await exec(join(repo, 'node_modules', '.bin', 'changeset'), ['status', `--output=${output}`], {
      cwd: repo,
    });
    const plan = JSON.parse(await readFile(output, 'utf8')) as {
      releases: { name: string; newVersion: string; type: string }[];
    };
    // Regression: the client's optional peers on the stores made changesets bump every package to a major
    // (a peer's minor counted as breaking); peers in range leave their dependents alone now.
    const changesets = await readdir(join(repo, '.changeset'));
    const asksMajor = await Promise.all(
      changesets
        .filter((name) => name.endsWith('.md') && name !== 'README.md')
        .map(async (name) => /:\s*major\b/u.test(await readFile(join(repo, '.changeset', name), 'utf8'))),
    );
    if (!asksMajor.includes(true)) {
      expect(plan.releases.filter((release) => release.type === 'major')).toEqual([]);
    }
    const published = plan.releases.filter((release) => work.tarballs.has(release.name));
    const versions = new Set(published.map((release) => release.newVersion));
    if (plan.releases.length > 0) {
      expect(published.map((release) => release.name)).toEqual(
        expect.arrayContaining([...work.tarballs.keys()]),
      );
      expect(versions.size).toBe(1);
    }
  });

  it('runs from plain ESM: a run logged to the file store and to SQLite, searched and read back', async () => {
    await writeFile(join(work.project, 'use.mjs'), esmScript);
    const { stdout } = await exec(process.execPath, ['use.mjs'], {
      cwd: work.project,
      env: { PATH: process.env.PATH ?? '' },
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { trackingUri: './mlruns', runs: 1, text: 'hello' },
      { trackingUri: 'sqlite:///mlflow.db', runs: 1, text: 'hello' },
      { clauses: 1 },
    ]);
  });

  it('type-checks from TypeScript with NodeNext resolution and strict settings', async () => {
    await writeFile(join(work.project, 'use.ts'), typescriptSource);
    await writeFile(
      join(work.project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['use.ts'],
      }),
    );
    const checked = await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: work.project }).catch(
      (error: { stdout: string }) => error,
    );
    expect(checked.stdout).toBe('');
  });
});

const remoteScript = `
import { createCairnClient } from '@cairn/client';

const client = createCairnClient({ trackingUri: process.env.SERVER_URL });
const experimentId = await client.createExperiment('remote');
const run = await client.createRun(experimentId);
await client.logMetric(run.info.run_id, 'acc', 0.75);
await client.logText(run.info.run_id, 'over REST', 'notes.txt');
const stored = await client.getRun(run.info.run_id);
const files = await client.listArtifacts(run.info.run_id);
console.log(JSON.stringify({ metrics: stored.data.metrics.map((m) => m.value), files: files.map((f) => f.path) }));
await client.close();

const local = createCairnClient({ trackingUri: 'sqlite:///mlflow.db' });
try {
  await local.getExperiment('0');
  console.log(JSON.stringify({ sqlite: 'opened' }));
} catch (error) {
  console.log(JSON.stringify({ sqlite: error.code, message: error.message }));
}
`;

/**
 * A user who installs @cairn/client alone to log to a remote server: the SQL, file and S3 stores are optional
 * peers, so nothing native is built, logging over REST works, and a local URI names what to install.
 */
describe('@cairn/client alone from its tarball', () => {
  const work = { project: '', url: '', close: async () => {} };

  beforeAll(async () => {
    const packs = await mkdtemp(join(tmpdir(), 'cairn-packs-alone-'));
    const tarballs = new Map<string, string>();
    for (const { dir, manifest } of await publicPackages()) {
      const { stdout } = await exec(pnpm, ['pack', '--pack-destination', packs], { cwd: dir });
      tarballs.set(manifest.name, stdout.trim().split('\n').at(-1) ?? '');
    }
    const fromTarballs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
    work.project = await mkdtemp(join(tmpdir(), 'cairn-client-alone-'));
    await writeFile(
      join(work.project, 'package.json'),
      JSON.stringify({
        name: 'cairn-client-alone',
        private: true,
        type: 'module',
        dependencies: { '@cairn/client': fromTarballs['@cairn/client'] },
        overrides: fromTarballs,
      }),
    );
    // Install scripts on: were a native module among the dependencies, it would be built here.
    await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: work.project });
    const server = await startServer(resolveServerOptions({ port: 0, logRequests: false }, {}), {
      cwd: await mkdtemp(join(tmpdir(), 'cairn-client-alone-server-')),
      env: {},
    });
    work.url = server.url;
    work.close = server.close;
  }, 600_000);

  it('installs no store it does not need and no native module', async () => {
    const installed = await readdir(join(work.project, 'node_modules', '@cairn'));
    expect(installed).toEqual(expect.arrayContaining(['client', 'core', 'store-memory']));
    for (const store of ['store-file', 'store-s3', 'store-sql']) expect(installed).not.toContain(store);
    const entries = await readdir(join(work.project, 'node_modules'), { recursive: true });
    expect(entries.filter((entry) => entry.endsWith('.node') || entry.endsWith('binding.gyp'))).toEqual([]);
    expect(entries).not.toContain('better-sqlite3');
  });

  it('logs to a running Cairn server over REST, and names the packages a sqlite URI needs', async () => {
    try {
      await writeFile(join(work.project, 'remote.mjs'), remoteScript);
      const { stdout } = await exec(process.execPath, ['remote.mjs'], {
        cwd: work.project,
        env: { PATH: process.env.PATH ?? '', SERVER_URL: work.url },
      });
      const [logged, sqlite] = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toEqual({ metrics: [0.75], files: ['notes.txt'] });
      expect(sqlite).toMatchObject({ sqlite: 'INTERNAL_ERROR' });
      expect(sqlite?.message).toContain(
        'Install @cairn/store-sql and better-sqlite3 to use sqlite:///mlflow.db',
      );
    } finally {
      await work.close();
    }
  });
});
