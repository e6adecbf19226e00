import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CairnClient, createCairnClient } from '@cairn/client';
import { createS3ArtifactStore } from '@cairn/store-s3';
import { startTestS3Server, type TestS3Server } from '@cairn/store-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox } from '../cli-test-helpers.js';
import type { GcPlan } from './gc-plan.js';
import { parseOlderThan } from './gc-plan.js';

const day = 24 * 60 * 60 * 1000;

/** A run with one artifact file; `daysAgo` sets when it started and ended. */
async function runWithArtifact(client: CairnClient, experimentId: string, daysAgo: number): Promise<string> {
  const when = Date.now() - daysAgo * day;
  const run = await client.createRun(experimentId, { startTime: when });
  await client.setTerminated(run.info.run_id, 'FINISHED', when + 1000);
  await client.logText(run.info.run_id, `artifact of ${run.info.run_id}`, 'notes/readme.txt');
  return run.info.run_id;
}

/** Every run folder under an mlruns tree (deleted experiments live in `.trash`), as `<experiment id>/<run id>`. */
async function runFolders(mlruns: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of [mlruns, join(mlruns, '.trash')]) {
    const experiments = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const experiment of experiments) {
      if (!experiment.isDirectory() || !/^\d+$/u.test(experiment.name)) continue;
      for (const run of await readdir(join(parent, experiment.name), { withFileTypes: true })) {
        if (run.isDirectory() && /^[0-9a-f]{32}$/u.test(run.name))
          found.push(`${experiment.name}/${run.name}`);
      }
    }
  }
  return found.sort();
}

const folderOf = (run: GcPlan['runs'][number]) => `${run.experiment_id}/${run.run_id}`;

describe('cairn gc on the file store with local artifacts', () => {
  it('parses durations as mlflow gc does', () => {
    expect(parseOlderThan('30d')).toBe(30 * day);
    expect(parseOlderThan('1d2h3m4s')).toBe(day + 2 * 3600_000 + 3 * 60_000 + 4000);
    expect(parseOlderThan('1.5h')).toBe(5400_000);
    for (const bad of ['', '3 days', 'd', '5x', '-1d'])
      expect(() => parseOlderThan(bad)).toThrow(/older-than/u);
  });

  it('removes exactly what --dry-run listed, first with --older-than, then everything deleted', async () => {
    const { cwd, env, json, run } = await cliSandbox();
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const keptExperiment = await client.createExperiment('kept');
    const oldDeleted = await runWithArtifact(client, keptExperiment, 40);
    const recentDeleted = await runWithArtifact(client, keptExperiment, 1);
    const active = await runWithArtifact(client, keptExperiment, 60);
    await client.deleteRun(oldDeleted);
    await client.deleteRun(recentDeleted);
    const goneExperiment = await client.createExperiment('gone');
    const inGone = [
      await runWithArtifact(client, goneExperiment, 2),
      await runWithArtifact(client, goneExperiment, 50),
    ];
    await client.deleteExperiment(goneExperiment);
    await client.close();
    const mlruns = join(cwd, 'mlruns');
    const before = await runFolders(mlruns);
    expect(before).toHaveLength(5);

    // Only the run deleted (and ended) 40 days ago is older than 30 days; the deleted experiment was
    // updated (deleted) just now, so it is too young.
    const firstPlan = await json<GcPlan & { dry_run: boolean }>('gc', '--older-than', '30d', '--dry-run');
    expect(firstPlan.dry_run).toBe(true);
    expect(firstPlan.runs.map((entry) => entry.run_id)).toEqual([oldDeleted]);
    expect(firstPlan.experiments).toEqual([]);
    expect(await runFolders(mlruns)).toEqual(before);

    const text = await run('gc', '--older-than', '30d', '--dry-run');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Would permanently delete 1 run(s)');
    expect(text.stdout).toContain(oldDeleted);

    const firstRun = await run('gc', '--older-than', '30d');
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toContain(`Run with ID ${oldDeleted} has been permanently deleted.`);
    const afterFirst = await runFolders(mlruns);
    expect(afterFirst).toEqual(before.filter((folder) => !firstPlan.runs.map(folderOf).includes(folder)));

    // Without an age: every deleted run, and every run of the deleted experiment.
    const secondPlan = await json<GcPlan>('gc', '--dry-run');
    expect(secondPlan.runs.map((entry) => entry.run_id).sort()).toEqual([recentDeleted, ...inGone].sort());
    expect(secondPlan.experiments.map((entry) => entry.experiment_id)).toEqual([goneExperiment]);
    const done = await json<GcPlan & { warnings: string[] }>('gc');
    expect(done.runs).toEqual(secondPlan.runs);
    expect(done.warnings).toEqual([]);
    expect(await runFolders(mlruns)).toEqual([`${keptExperiment}/${active}`]);
    expect(await readdir(join(mlruns, keptExperiment, active, 'artifacts', 'notes'))).toEqual(['readme.txt']);

    expect((await json<GcPlan>('gc', '--dry-run')).runs).toEqual([]);
    expect((await run('gc')).stdout).toContain('Nothing to delete.');
  });

  it('refuses runs and experiments that are not deleted, or too young, and bad durations', async () => {
    const { cwd, env, run } = await cliSandbox();
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const experiment = await client.createExperiment('e');
    const active = await runWithArtifact(client, experiment, 10);
    const young = await runWithArtifact(client, experiment, 1);
    await client.deleteRun(young);
    await client.close();
    for (const argv of [
      ['gc', '--run-ids', active],
      ['gc', '--run-ids', young, '--older-than', '5d'],
      ['gc', '--experiment-ids', experiment],
      ['gc', '--older-than', 'soon'],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toContain('INVALID_PARAMETER_VALUE');
    }
    // Naming a run removes that run only.
    const named = await run('--json', 'gc', '--run-ids', young);
    expect((JSON.parse(named.stdout) as GcPlan).runs.map((entry) => entry.run_id)).toEqual([young]);
  });
});

describe('cairn gc with artifacts on S3 (moto server)', () => {
  let server: TestS3Server;
  const saved: Record<string, string | undefined> = {};

  // A fresh machine first installs moto into a venv (about half a minute), hence the long hook timeout.
  beforeAll(async () => {
    server = await startTestS3Server();
    await server.createBucket('gc-artifacts');
    for (const [key, value] of Object.entries(server.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  }, 300_000);

  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await server?.stop();
  });

  it('deletes the S3 objects of exactly the runs --dry-run listed', async () => {
    const { cwd, env, json } = await cliSandbox();
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const experiment = await client.createExperiment('on-s3', {
      artifactLocation: 's3://gc-artifacts/mlflow',
    });
    const doomed = await runWithArtifact(client, experiment, 3);
    const kept = await runWithArtifact(client, experiment, 3);
    await client.deleteRun(doomed);
    await client.close();
    const bucket = createS3ArtifactStore({ uri: 's3://gc-artifacts/mlflow', env: process.env });
    expect((await bucket.list()).map((entry) => entry.path).sort()).toEqual([doomed, kept].sort());

    const plan = await json<GcPlan>('gc', '--dry-run');
    expect(plan.runs).toEqual([
      expect.objectContaining({
        run_id: doomed,
        artifact_uri: `s3://gc-artifacts/mlflow/${doomed}/artifacts`,
      }),
    ]);
    expect((await bucket.list()).map((entry) => entry.path).sort()).toEqual([doomed, kept].sort());

    expect((await json<GcPlan>('gc')).runs).toEqual(plan.runs);
    expect(await bucket.list()).toEqual([{ path: kept, is_dir: true }]);
    expect(await bucket.list(`${kept}/artifacts/notes`)).toEqual([
      { path: `${kept}/artifacts/notes/readme.txt`, is_dir: false, file_size: `artifact of ${kept}`.length },
    ]);
    expect(await runFolders(join(cwd, 'mlruns'))).toEqual([`${experiment}/${kept}`]);
  });
});
