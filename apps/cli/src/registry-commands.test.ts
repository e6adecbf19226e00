import type { ModelVersion, RegisteredModel } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { cliSandbox } from './test-helpers.js';

const stores = [
  ['file', (cwd: string) => `${cwd}/mlruns`],
  ['sqlite', (cwd: string) => `sqlite:///${cwd}/registry.db`],
] as const;

describe.each(stores)('cairn registered-models and model-versions on a %s store', (_name, trackingUri) => {
  it('creates, searches, tags, aliases, stages, renames and deletes, printing JSON with --json', async () => {
    const { run, json } = await cliSandbox({ trackingUri });
    const created = await json<RegisteredModel>(
      'registered-models',
      'create',
      '--name',
      'churn',
      '--description',
      'd',
      '--tag',
      'team=ml',
      '-t',
      'tier=1',
    );
    expect(created).toMatchObject({ name: 'churn', description: 'd' });
    expect(created.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'ml' },
        { key: 'tier', value: '1' },
      ]),
    );
    for (const index of [1, 2, 3]) {
      const version = await json<ModelVersion>(
        'model-versions',
        'create',
        '-n',
        'churn',
        '--source',
        `s3://bucket/churn/${index}`,
        '--run-id',
        index === 3 ? 'b'.repeat(32) : 'a'.repeat(32),
        '-t',
        `n=${index}`,
      );
      expect(version.version).toBe(String(index));
    }
    await json('registered-models', 'create', '-n', 'other');
    const listed = await json<RegisteredModel[]>(
      'registered-models',
      'search',
      '--filter-string',
      "name LIKE 'c%'",
      '--order-by',
      'name DESC',
      '--max-results',
      '5',
    );
    expect(listed.map((m) => m.name)).toEqual(['churn']);
    expect((await json<RegisteredModel[]>('registered-models', 'list', '--max-results', '1')).length).toBe(1);
    const byRun = await json<ModelVersion[]>(
      'model-versions',
      'list',
      '--filter-string',
      `run_id = '${'a'.repeat(32)}'`,
      '--order-by',
      'version_number ASC',
    );
    expect(byRun.map((v) => v.version)).toEqual(['1', '2']);

    const staged = await json<ModelVersion>(
      'model-versions',
      'transition-stage',
      '-n',
      'churn',
      '-v',
      '1',
      '--stage',
      'production',
    );
    expect(staged.current_stage).toBe('Production');
    await json(
      'model-versions',
      'transition-stage',
      '-n',
      'churn',
      '--model-version',
      '2',
      '-s',
      'Production',
      '--archive-existing-versions',
    );
    expect((await json<ModelVersion>('model-versions', 'get', '-n', 'churn', '-v', '1')).current_stage).toBe(
      'Archived',
    );
    expect(
      (
        await json<ModelVersion[]>('model-versions', 'get-latest', '-n', 'churn', '--stages', 'Production')
      ).map((v) => v.version),
    ).toEqual(['2']);

    await json('registered-models', 'set-alias', '-n', 'churn', '--alias', 'champion', '-v', '2');
    expect(
      (await json<ModelVersion>('registered-models', 'get-by-alias', '-n', 'churn', '-a', 'champion'))
        .version,
    ).toBe('2');
    await json('model-versions', 'set-alias', '-n', 'churn', '-v', '3', '-a', 'champion');
    expect(
      (await json<ModelVersion>('model-versions', 'get-by-alias', '-n', 'churn', '-a', 'champion')).version,
    ).toBe('3');
    await json('registered-models', 'delete-alias', '-n', 'churn', '-a', 'champion');
    expect((await run('registered-models', 'get-by-alias', '-n', 'churn', '-a', 'champion')).stderr).toMatch(
      /^error: INVALID_PARAMETER_VALUE: /u,
    );

    await json('registered-models', 'set-tag', '-n', 'churn', '-k', 'owner', '--value', 'ana');
    await json('registered-models', 'delete-tag', '-n', 'churn', '-k', 'tier');
    await json('model-versions', 'set-tag', '-n', 'churn', '-v', '1', '-k', 'q', '--value', 'ok');
    await json('model-versions', 'delete-tag', '-n', 'churn', '-v', '1', '-k', 'n');
    expect((await json<ModelVersion>('model-versions', 'get', '-n', 'churn', '-v', '1')).tags).toEqual([
      { key: 'q', value: 'ok' },
    ]);
    expect(
      (await json<ModelVersion>('model-versions', 'update', '-n', 'churn', '-v', '1', '-d', 'first'))
        .description,
    ).toBe('first');
    expect(
      (await json<RegisteredModel>('registered-models', 'update', '-n', 'churn', '-d', 'better')).description,
    ).toBe('better');
    expect(await json('model-versions', 'get-download-uri', '-n', 'churn', '-v', '2')).toEqual({
      artifact_uri: 's3://bucket/churn/2',
    });

    const renamed = await json<RegisteredModel>(
      'registered-models',
      'rename',
      '-n',
      'churn',
      '--new-name',
      'churn-v2',
    );
    expect(renamed.tags).toEqual(expect.arrayContaining([{ key: 'owner', value: 'ana' }]));
    await json('model-versions', 'delete', '-n', 'churn-v2', '-v', '3');
    const model = await json<RegisteredModel>('registered-models', 'get', '-n', 'churn-v2');
    expect(model.latest_versions.map((v) => [v.version, v.current_stage])).toEqual([
      ['1', 'Archived'],
      ['2', 'Production'],
    ]);
    await json('registered-models', 'delete', '-n', 'churn-v2');
    const gone = await run('registered-models', 'get', '-n', 'churn-v2');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: RESOURCE_DOES_NOT_EXIST: /u);
  });

  it('prints tables without --json, registers a model URI, and fails with MLflow codes and usage errors', async () => {
    const { run, json } = await cliSandbox({ trackingUri });
    expect((await run('registered-models', 'create', '-n', 'm')).stdout).toBe(
      "Created registered model 'm'.\n",
    );
    await run('model-versions', 'create', '-n', 'm', '-s', 's3://b/1');
    const table = await run('model-versions', 'search', '--filter-string', "name = 'm'");
    expect(table.stdout).toMatch(/│ m\s+│ 1\s+│ None/u);
    expect((await run('registered-models', 'get', '-n', 'm')).stdout).toMatch(/latest_versions\.None\s+│ 1/u);
    const registered = await json<ModelVersion>(
      'model-versions',
      'register',
      '-m',
      's3://b/2',
      '-n',
      'fresh',
      '-t',
      'k=v',
    );
    expect(registered).toMatchObject({
      name: 'fresh',
      version: '1',
      source: 's3://b/2',
      tags: [{ key: 'k', value: 'v' }],
    });

    const duplicate = await run('registered-models', 'create', '-n', 'm');
    expect([duplicate.code, duplicate.stderr]).toEqual([
      1,
      expect.stringMatching(/^error: RESOURCE_ALREADY_EXISTS: /u),
    ]);
    const badStage = await run(
      'model-versions',
      'transition-stage',
      '-n',
      'm',
      '-v',
      '1',
      '-s',
      'Archived',
      '--archive-existing-versions',
    );
    expect([badStage.code, badStage.stderr]).toEqual([1, expect.stringMatching(/INVALID_PARAMETER_VALUE/u)]);
    expect((await run('model-versions', 'get', '-n', 'm', '-v', 'x')).stderr).toMatch(
      /INVALID_PARAMETER_VALUE.*version/u,
    );
    expect((await run('model-versions', 'get', '-n', 'm')).code).toBe(2);
    expect((await run('registered-models', 'create', '-n', 'x', '-t', 'novalue')).code).toBe(2);
    expect((await run('registered-models', 'search', '--max-results', '0')).code).toBe(2);
  });
});
