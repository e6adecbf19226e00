import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { type CairnClient, createCairnClient, type GcPlan } from '@cairn/client';
import { resolveServerOptions, startServer } from '@cairn/server-start';
import { createS3ArtifactStore } from '@cairn/store-s3';
import { setTestS3Environment, startTestS3Server, type TestS3Server } from '@cairn/store-s3/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliSandbox } from '../test-helpers.js';

const day = 24 * 60 * 60 * 1000;
type Done = GcPlan & { dry_run: boolean; warnings?: string[] };

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `action` with the clock set `daysAgo` days back (only Date is faked), so stores stamp that time. */
async function daysAgo<T>(days: number, action: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() - days * day);
  try {
    return await action();
  } finally {
    vi.useRealTimers();
  }
}

/** A run with a param, a metric and one artifact file, started and ended `ended` days ago. */
async function runWithArtifact(client: CairnClient, experimentId: string, ended: number): Promise<string> {
  const when = Date.now() - ended * day;
  const run = await client.createRun(experimentId, { startTime: when });
  await client.logParam(run.info.run_id, 'p', '1');
  await client.setTerminated(run.info.run_id, 'FINISHED', when + 1000);
  await client.logText(run.info.run_id, `artifact of ${run.info.run_id}`, 'notes/readme.txt');
  return run.info.run_id;
}

/** Every file under a folder, relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** What the tracking store holds: every experiment (with its stage) and every run with its params. */
async function records(client: CairnClient) {
  const store = await client.trackingStore();
  const experiments = (await store.searchExperiments({ viewType: 'ALL', maxResults: 1000 })).items;
  const runs = (
    await store.searchRuns({
      experimentIds: experiments.map((experiment) => experiment.experiment_id),
      runViewType: 'ALL',
      maxResults: 1000,
    })
  ).items;
  return {
    experiments: experiments.map((e) => `${e.experiment_id}:${e.lifecycle_stage}`).sort(),
    runs: runs
      .map((run) => `${run.info.run_id}:${run.info.lifecycle_stage}:${JSON.stringify(run.data.params)}`)
      .sort(),
  };
}

const runIds = (plan: GcPlan) => plan.runs.map((run) => run.run_id).sort();
const experimentIds = (plan: GcPlan) => plan.experiments.map((experiment) => experiment.experiment_id).sort();

/**
 * Removes from `before` exactly the records and artifact files the plan lists: what must be left after gc.
 * `artifactPrefix` turns a plan URI into the prefix its files have in `files`.
 */
function expectedAfter(
  before: { records: Awaited<ReturnType<typeof records>>; files: string[] },
  plan: GcPlan,
  artifactPrefix: (uri: string) => string,
) {
  const goneRuns = new Set(runIds(plan));
  const goneExperiments = new Set(experimentIds(plan));
  const gonePrefixes = [
    ...plan.runs.map((run) => artifactPrefix(run.artifact_uri.replace(/\/artifacts$/u, ''))),
    ...plan.experiments
      .filter((experiment) => experiment.delete_artifact_location)
      .map((experiment) => artifactPrefix(experiment.artifact_location)),
  ].map((prefix) => `${prefix}/`);
  return {
    records: {
      experiments: before.records.experiments.filter(
        (entry) => !goneExperiments.has(entry.split(':')[0] as string),
      ),
      runs: before.records.runs.filter((entry) => !goneRuns.has(entry.split(':')[0] as string)),
    },
    files: before.files.filter((file) => !gonePrefixes.some((prefix) => file.startsWith(prefix))),
  };
}

describe('cairn gc', () => {
  it('on SQLite with local artifacts: ages runs by deletion time, removes old deleted experiments, exactly as --dry-run listed', async () => {
    const { cwd, env, json, run } = await cliSandbox({
      trackingUri: (dir) => `sqlite:///${join(dir, 'mlflow.db')}`,
    });
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const kept = await client.createExperiment('kept');
    const active = await runWithArtifact(client, kept, 60);
    const deletedLongAgo = await runWithArtifact(client, kept, 45);
    await daysAgo(40, () => client.deleteRun(deletedLongAgo));
    // Ended 50 days ago but deleted yesterday: young, because age counts from the deletion.
    const deletedYesterday = await runWithArtifact(client, kept, 50);
    await daysAgo(1, () => client.deleteRun(deletedYesterday));

    const oldExperiment = await client.createExperiment('old');
    const inOld = [
      await runWithArtifact(client, oldExperiment, 3),
      await runWithArtifact(client, oldExperiment, 90),
    ];
    await daysAgo(40, () => client.deleteExperiment(oldExperiment));
    const youngExperiment = await client.createExperiment('young');
    const inYoung = await runWithArtifact(client, youngExperiment, 90);
    await daysAgo(2, () => client.deleteExperiment(youngExperiment));
    // Something else in the old experiment's own folder (as MLflow 3 keeps logged models there).
    await (
      await client.artifactStoreAt(`${(await client.getExperiment(oldExperiment)).artifact_location}`)
    ).put('models/m-1/MLmodel', 'flavors: {}');

    const artifactRoot = join(cwd, 'mlartifacts');
    const prefix = (uri: string) => relative(artifactRoot, new URL(uri).pathname);
    const snapshot = async () => ({ records: await records(client), files: await filesUnder(artifactRoot) });
    const before = await snapshot();
    expect(before.files).toHaveLength(7);

    const plan = await json<Done>('gc', '--older-than', '30d', '--dry-run');
    expect(plan.dry_run).toBe(true);
    expect(runIds(plan)).toEqual([deletedLongAgo, ...inOld].sort());
    expect(experimentIds(plan)).toEqual([oldExperiment]);
    expect(plan.experiments[0]).toMatchObject({ name: 'old', delete_artifact_location: true });
    expect(plan.runs.find((entry) => entry.run_id === deletedLongAgo)?.deleted_time).toBeLessThan(
      Date.now() - 39 * day,
    );
    expect(await snapshot()).toEqual(before);
    const text = await run('gc', '--older-than', '30d', '--dry-run');
    expect(text.stdout).toContain(
      'Would permanently delete 3 run(s) and their artifacts, and 1 deleted experiment(s):',
    );
    expect(await snapshot()).toEqual(before);

    const done = await json<Done>('gc', '--older-than', '30d');
    expect({ ...done, dry_run: true, warnings: undefined }).toEqual({ ...plan, warnings: undefined });
    expect(done.warnings).toEqual([]);
    const afterFirst = await snapshot();
    expect(afterFirst).toEqual(expectedAfter(before, plan, prefix));
    expect(afterFirst.files).not.toContain(`${oldExperiment}/models/m-1/MLmodel`);
    await expect(client.getExperiment(oldExperiment)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });

    // Without an age: every deleted run and every deleted experiment.
    const second = await json<Done>('gc', '--dry-run');
    expect(runIds(second)).toEqual([deletedYesterday, inYoung].sort());
    expect(experimentIds(second)).toEqual([youngExperiment]);
    const secondDone = await run('gc');
    expect(secondDone.code).toBe(0);
    expect(secondDone.stdout).toContain(`Run with ID ${inYoung} has been permanently deleted.`);
    expect(secondDone.stdout).toContain(
      `Experiment with ID ${youngExperiment} has been permanently deleted.`,
    );
    const afterSecond = await snapshot();
    expect(afterSecond).toEqual(expectedAfter(afterFirst, second, prefix));
    expect(afterSecond.records.runs).toEqual([`${active}:active:[{"key":"p","value":"1"}]`]);
    expect(afterSecond.files).toEqual([`${kept}/${active}/artifacts/notes/readme.txt`]);
    expect((await run('gc')).stdout).toContain('Nothing to delete.');
    await client.close();

    // MLflow 3.18.0 still opens the database and sees exactly what is left.
    const python = process.env.CAIRN_MLFLOW_PYTHON;
    if (python === undefined || python === '') {
      console.log('SKIPPED: cairn gc MLflow check — set CAIRN_MLFLOW_PYTHON (bash .ci/install-mlflow.sh)');
      return;
    }
    const reader = [
      'import sys, json, mlflow',
      'from mlflow.entities import ViewType',
      'mlflow.set_tracking_uri(sys.argv[1])',
      'client = mlflow.MlflowClient()',
      'exps = client.search_experiments(view_type=ViewType.ALL)',
      'runs = mlflow.search_runs([e.experiment_id for e in exps], run_view_type=ViewType.ALL, output_format="list")',
      'print(json.dumps({"experiments": sorted(e.experiment_id for e in exps), "runs": sorted(r.info.run_id for r in runs)}))',
    ].join('\n');
    const { stdout } = await promisify(execFile)(python, ['-c', reader, env.MLFLOW_TRACKING_URI], {
      cwd,
      env: { ...process.env, MLFLOW_TRACKING_URI: '' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({
      experiments: ['0', kept].sort(),
      runs: [active],
    });
  }, 120_000);

  it('on the file store: falls back to the end time for a run deleted without a recorded time', async () => {
    const { cwd, env, json } = await cliSandbox();
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const experiment = await client.createExperiment('e');
    const legacy = await runWithArtifact(client, experiment, 40);
    const recent = await runWithArtifact(client, experiment, 40);
    await client.deleteRun(legacy);
    await client.deleteRun(recent);
    await client.close();
    // As an MLflow release before deleted_time wrote it.
    const meta = join(cwd, 'mlruns', experiment, legacy, 'meta.yaml');
    await writeFile(meta, (await readFile(meta, 'utf8')).replace(/^deleted_time:.*\n/mu, ''));

    const plan = await json<Done>('gc', '--older-than', '30d', '--dry-run');
    expect(runIds(plan)).toEqual([legacy]);
    expect(plan.runs[0]?.deleted_time).toBeUndefined();
    expect(runIds(await json<Done>('gc', '--older-than', '30d'))).toEqual([legacy]);
    expect(await filesUnder(join(cwd, 'mlruns', experiment))).toEqual(
      expect.arrayContaining([`${recent}/artifacts/notes/readme.txt`]),
    );
    expect((await filesUnder(join(cwd, 'mlruns', experiment))).some((file) => file.startsWith(legacy))).toBe(
      false,
    );
  });

  it('refuses runs and experiments that are not deleted, or deleted too recently, unknown ids and bad durations', async () => {
    const { cwd, env, run } = await cliSandbox();
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    const experiment = await client.createExperiment('e');
    const active = await runWithArtifact(client, experiment, 10);
    const young = await runWithArtifact(client, experiment, 10);
    await client.deleteRun(young);
    const deletedExperiment = await client.createExperiment('d');
    await client.deleteExperiment(deletedExperiment);
    await client.close();
    for (const [argv, code] of [
      [['gc', '--run-ids', active], 'INVALID_PARAMETER_VALUE'],
      [['gc', '--run-ids', young, '--older-than', '5d'], 'INVALID_PARAMETER_VALUE'],
      [['gc', '--experiment-ids', experiment], 'INVALID_PARAMETER_VALUE'],
      [['gc', '--experiment-ids', deletedExperiment, '--older-than', '1d'], 'INVALID_PARAMETER_VALUE'],
      [['gc', '--older-than', 'soon'], 'INVALID_PARAMETER_VALUE'],
      [['gc', '--run-ids', '0123456789abcdef0123456789abcdef'], 'RESOURCE_DOES_NOT_EXIST'],
      [['gc', '--experiment-ids', '424242'], 'RESOURCE_DOES_NOT_EXIST'],
    ] as const) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr, argv.join(' ')).toContain(code);
    }
    const untouched = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    expect((await untouched.getRun(young)).info.lifecycle_stage).toBe('deleted');
    expect((await untouched.getExperiment(deletedExperiment)).lifecycle_stage).toBe('deleted');
    await untouched.close();
    // Naming a run removes that run only.
    const named = await run('--json', 'gc', '--run-ids', young);
    expect(runIds(JSON.parse(named.stdout) as GcPlan)).toEqual([young]);
    expect(experimentIds(JSON.parse(named.stdout) as GcPlan)).toEqual([]);
  });
});

describe('cairn gc against a tracking server', () => {
  it('purges runs over REST, keeps deleted experiments with a note, and removes them with --backend-store-uri', async () => {
    const { cwd, env, json, run } = await cliSandbox();
    const database = `sqlite:///${join(cwd, 'server.db')}`;
    const server = await startServer(
      resolveServerOptions(
        {
          backendStoreUri: database,
          artifactsDestination: join(cwd, 'proxied'),
          port: 0,
          logRequests: false,
        },
        {},
      ),
      { cwd },
    );
    try {
      env.MLFLOW_TRACKING_URI = server.url;
      const client = createCairnClient({ trackingUri: server.url, env: {}, cwd });
      const kept = await client.createExperiment('kept');
      const active = await runWithArtifact(client, kept, 20);
      const deleted = await runWithArtifact(client, kept, 20);
      await daysAgo(10, () => client.deleteRun(deleted));
      const gone = await client.createExperiment('gone');
      const inGone = await runWithArtifact(client, gone, 20);
      await daysAgo(10, () => client.deleteExperiment(gone));
      await client.close();
      const proxied = join(cwd, 'proxied');
      expect(await filesUnder(proxied)).toHaveLength(3);

      // The deletion times come over Cairn's route, so the ages are right over REST too.
      const plan = await json<Done>('gc', '--older-than', '7d', '--dry-run');
      expect(runIds(plan)).toEqual([deleted, inGone].sort());
      expect(plan.runs.every((entry) => entry.deleted_time !== undefined)).toBe(true);
      expect(plan.experiments).toEqual([]);
      expect(plan.notes).toEqual([expect.stringContaining('1 deleted experiment(s) kept')]);
      expect(runIds(await json<Done>('gc', '--older-than', '7d'))).toEqual(runIds(plan));
      expect(await filesUnder(proxied)).toEqual([`${kept}/${active}/artifacts/notes/readme.txt`]);

      const named = await run('gc', '--experiment-ids', gone);
      expect(named.code).toBe(1);
      expect(named.stderr).toContain('NOT_IMPLEMENTED');
      expect(named.stderr).toContain('--backend-store-uri');

      // Against the database itself the experiment goes too.
      const direct = await json<Done>('gc', '--backend-store-uri', database);
      expect(experimentIds(direct)).toEqual([gone]);
      expect(direct.warnings).toEqual([]);
      const check = createCairnClient({ trackingUri: server.url, env: {}, cwd });
      await expect(check.getExperiment(gone)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
      expect((await check.getRun(active)).info.lifecycle_stage).toBe('active');
      await check.close();
      // Its proxied artifact folder (mlflow-artifacts:/<id>, resolved through the server) went with it.
      expect(await filesUnder(proxied)).toEqual([`${kept}/${active}/artifacts/notes/readme.txt`]);
      expect(await readdir(proxied)).toEqual([kept]);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('cairn gc with artifacts on S3 (moto server)', () => {
  let server: TestS3Server;
  let restoreEnvironment: (() => void) | undefined;

  // A fresh machine first installs moto into a venv (about half a minute), hence the long hook timeout.
  beforeAll(async () => {
    server = await startTestS3Server();
    await server.createBucket('gc-artifacts');
    restoreEnvironment = setTestS3Environment(server);
  }, 300_000);

  afterAll(async () => {
    restoreEnvironment?.();
    await server?.stop();
  });

  it('deletes the S3 objects of exactly what --dry-run listed, and an experiment prefix only when it is its own', async () => {
    const { cwd, env, json } = await cliSandbox({
      trackingUri: (dir) => `sqlite:///${join(dir, 'mlflow.db')}`,
    });
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, env: {}, cwd });
    // SQLite numbers experiments 1, 2, 3 after Default (0), so the own prefix can name the id up front.
    const shared = await client.createExperiment('shared', { artifactLocation: 's3://gc-artifacts/shared' });
    const own = await client.createExperiment('own', { artifactLocation: 's3://gc-artifacts/root/2' });
    expect([shared, own]).toEqual(['1', '2']);
    const keptShared = await runWithArtifact(client, shared, 3);
    const doomedShared = await runWithArtifact(client, shared, 3);
    await daysAgo(10, () => client.deleteRun(doomedShared));
    const inOwn = await runWithArtifact(client, own, 3);
    await (await client.artifactStoreAt('s3://gc-artifacts/root/2')).put('models/m-1/MLmodel', 'flavors: {}');
    await daysAgo(10, () => client.deleteExperiment(own));
    const bucket = createS3ArtifactStore({ uri: 's3://gc-artifacts', env: process.env });
    const objects = async () => {
      const found: string[] = [];
      const walk = async (path: string) => {
        for (const entry of await bucket.list(path)) {
          if (entry.is_dir) await walk(entry.path);
          else found.push(entry.path);
        }
      };
      await walk('');
      return found.sort();
    };
    const snapshot = async () => ({ records: await records(client), files: await objects() });
    const before = await snapshot();
    expect(before.files).toHaveLength(4);

    const plan = await json<Done>('gc', '--older-than', '7d', '--dry-run');
    expect(runIds(plan)).toEqual([doomedShared, inOwn].sort());
    expect(plan.experiments).toEqual([
      expect.objectContaining({
        experiment_id: own,
        artifact_location: 's3://gc-artifacts/root/2',
        delete_artifact_location: true,
      }),
    ]);
    expect(await snapshot()).toEqual(before);

    const done = await json<Done>('gc', '--older-than', '7d');
    expect(runIds(done)).toEqual(runIds(plan));
    expect(experimentIds(done)).toEqual([own]);
    const after = await snapshot();
    expect(after).toEqual(expectedAfter(before, plan, (uri) => uri.replace('s3://gc-artifacts/', '')));
    expect(after.files).toEqual([`shared/${keptShared}/artifacts/notes/readme.txt`]);
    await client.close();
  }, 120_000);
});
