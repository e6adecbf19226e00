import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCairnClient } from '@cairn/client';
import type { Experiment, FileInfo, Run } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { cliSandbox } from './test-helpers.js';

async function seeded() {
  const sandbox = await cliSandbox();
  const client = createCairnClient({ trackingUri: sandbox.env.MLFLOW_TRACKING_URI });
  const experimentId = await client.createExperiment('seeded');
  const run = await client.createRun(experimentId, { runName: 'first' });
  const runId = run.info.run_id;
  await client.logBatch(runId, {
    params: [{ key: 'lr', value: '0.01' }],
    metrics: [
      { key: 'acc', value: 0.9, timestamp: 1, step: 1 },
      { key: 'odd', value: Number.NaN, timestamp: 1, step: 1 },
    ],
    tags: [{ key: 'team', value: 'vision' }],
  });
  await client.close();
  return { ...sandbox, experimentId, runId };
}

describe('cairn experiments', () => {
  it('creates, searches, renames, deletes and restores with MLflow flag names', async () => {
    const { run, json } = await cliSandbox();
    const created = await run('experiments', 'create', '--experiment-name', 'alpha');
    expect(created.code).toBe(0);
    const id = /with id (\d+)/u.exec(created.stdout)?.[1] ?? '';
    expect((await run('experiments', 'search')).stdout).toMatch(/alpha/u);
    expect((await run('experiments', 'rename', '-x', id, '--new-name', 'beta')).code).toBe(0);
    expect((await json<Experiment[]>('experiments', 'list')).map((e) => e.name).sort()).toEqual([
      'Default',
      'beta',
    ]);
    expect((await run('experiments', 'delete', '--experiment-id', id)).code).toBe(0);
    expect((await json<Experiment[]>('experiments', 'search')).map((e) => e.name)).toEqual(['Default']);
    expect(
      (await json<Experiment[]>('experiments', 'search', '--view', 'deleted_only')).map((e) => e.name),
    ).toEqual(['beta']);
    expect(
      (await json<Experiment[]>('experiments', 'search', '-v', 'ALL', '--max-results', '1')).length,
    ).toBe(1);
    expect((await run('experiments', 'restore', '-x', id)).code).toBe(0);
    const described = await json<Experiment>('experiments', 'describe', '-x', id);
    expect(described).toMatchObject({ name: 'beta', lifecycle_stage: 'active' });
  });

  it('exits 1 with the MLflow error code for an operation that fails', async () => {
    const { run } = await cliSandbox();
    await run('experiments', 'create', '-n', 'dup');
    const dup = await run('experiments', 'create', '-n', 'dup');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^error: RESOURCE_ALREADY_EXISTS: /u);
    const missing = await run('experiments', 'delete', '-x', '999');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST/u);
    for (const argv of [
      ['experiments', 'describe', '-x', '999'],
      ['experiments', 'rename', '-x', '999', '--new-name', 'x'],
      ['runs', 'list', '--experiment-name', 'nope'],
      ['runs', 'describe', '--run-id', 'f'.repeat(32)],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr, argv.join(' ')).toMatch(/^error: RESOURCE_DOES_NOT_EXIST: /u);
      expect(result.stdout).toBe('');
    }
  });

  it('exits 2 for usage errors: missing required flag, bad value, unknown option, bare group', async () => {
    const { run } = await cliSandbox();
    expect((await run('experiments', 'create')).code).toBe(2);
    expect((await run('experiments', 'search', '--view', 'sideways')).code).toBe(2);
    expect((await run('runs', 'list', '--bogus')).code).toBe(2);
    expect((await run('runs')).code).toBe(2);
    expect((await run('runs', 'list')).stderr).toMatch(/--experiment-id or --experiment-name/u);
  });

  it('prints help for every command, exiting 0', async () => {
    const { run } = await cliSandbox();
    for (const argv of [
      [],
      ['experiments'],
      ['experiments', 'create'],
      ['experiments', 'search'],
      ['runs', 'list'],
      ['runs', 'describe'],
      ['artifacts', 'download'],
      ['artifacts', 'log-artifacts'],
    ]) {
      const result = await run(...argv, '--help');
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: cairn/u);
    }
  });
});

describe('cairn runs', () => {
  // Regression: an unknown or malformed id printed an empty table and exited 0.
  it('runs list names an experiment that does not exist, as MLflow does', async () => {
    for (const trackingUri of [undefined, (cwd: string) => `sqlite:///${join(cwd, 'mlflow.db')}`]) {
      const { run } = await cliSandbox(trackingUri === undefined ? {} : { trackingUri });
      for (const id of ['999', 'abc']) {
        const listed = await run('runs', 'list', '--experiment-id', id);
        expect(listed.code).toBe(1);
        expect(listed.stdout).toBe('');
        expect(listed.stderr).toBe(`error: RESOURCE_DOES_NOT_EXIST: No Experiment with id=${id} exists\n`);
      }
    }
  });

  it('lists runs by experiment id or name, as a table and as JSON', async () => {
    const { run, json, experimentId, runId } = await seeded();
    const table = await run('runs', 'list', '--experiment-id', experimentId);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(runId);
    expect(table.stdout).toContain('first');
    const runs = await json<Run[]>('runs', 'list', '--experiment-name', 'seeded');
    expect(runs.map((r) => r.info.run_id)).toEqual([runId]);
    const filtered = await json<Run[]>(
      'runs',
      'list',
      '--experiment-id',
      experimentId,
      '--filter',
      'metrics.acc < 0.5',
    );
    expect(filtered).toEqual([]);
  });

  it('describes a run with params, metrics (NaN as MLflow writes it) and tags', async () => {
    const { run, json, runId } = await seeded();
    const described = await json<Run>('runs', 'describe', '--run-id', runId);
    expect(described.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(described.data.metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'odd', value: 'NaN' })]),
    );
    const human = await run('runs', 'describe', '--run-id', runId);
    expect(human.stdout).toMatch(/lr\s+│ 0\.01/u);
    expect(human.stdout).toMatch(/team\s+│ vision/u);
  });

  it('deletes and restores a run', async () => {
    const { run, json, experimentId, runId } = await seeded();
    expect((await run('runs', 'delete', '--run-id', runId)).code).toBe(0);
    expect(await json<Run[]>('runs', 'list', '--experiment-id', experimentId)).toEqual([]);
    expect((await json<Run[]>('runs', 'list', '--experiment-id', experimentId, '--view', 'all')).length).toBe(
      1,
    );
    expect((await run('runs', 'restore', '--run-id', runId)).code).toBe(0);
    expect((await json<Run>('runs', 'describe', '--run-id', runId)).info.lifecycle_stage).toBe('active');
  });
});

describe('cairn artifacts', () => {
  it('logs a file and a tree, lists them and downloads them back', async () => {
    const { run, json, cwd, runId } = await seeded();
    await writeFile(join(cwd, 'model.txt'), 'weights');
    await mkdir(join(cwd, 'plots', 'loss'), { recursive: true });
    await writeFile(join(cwd, 'plots', 'loss', 'a.svg'), '<svg/>');
    expect((await run('artifacts', 'log-artifact', '-l', 'model.txt', '-r', runId, '-a', 'model')).code).toBe(
      0,
    );
    expect((await run('artifacts', 'log', '--local-file', 'model.txt', '--run-id', runId)).code).toBe(0);
    expect(
      (
        await run(
          'artifacts',
          'log-artifacts',
          '--local-dir',
          'plots',
          '--run-id',
          runId,
          '--artifact-path',
          'plots',
        )
      ).code,
    ).toBe(0);
    const listed = await json<FileInfo[]>('artifacts', 'list', '--run-id', runId);
    expect(listed.map((f) => [f.path, f.is_dir])).toEqual([
      ['model', true],
      ['model.txt', false],
      ['plots', true],
    ]);
    expect((await run('artifacts', 'list', '-r', runId, '-a', 'model')).stdout).toMatch(
      /model\/model\.txt\s+│ file\s+│ 7 B/u,
    );
    const downloaded = await run(
      'artifacts',
      'download',
      '--run-id',
      runId,
      '--artifact-path',
      'plots',
      '--dst-path',
      'out',
    );
    expect(downloaded.code).toBe(0);
    expect(await readFile(join(downloaded.stdout.trim(), 'loss', 'a.svg'), 'utf8')).toBe('<svg/>');
    const byUri = await json<{ local_path: string }>(
      'artifacts',
      'download',
      '-u',
      `runs:/${runId}/model/model.txt`,
      '-d',
      'out2',
    );
    expect(await readFile(byUri.local_path, 'utf8')).toBe('weights');
  });

  it('refuses paths that leave the run and files that do not exist', async () => {
    const { run, runId } = await seeded();
    const outside = await run('artifacts', 'download', '-r', runId, '-a', '../../etc', '-d', 'x');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/INVALID_PARAMETER_VALUE/u);
    const missing = await run('artifacts', 'log-artifact', '-l', 'nope.txt', '-r', runId);
    expect(missing.code).toBe(1);
    expect((await run('artifacts', 'download', '-d', 'x')).code).toBe(2);
  });
});
