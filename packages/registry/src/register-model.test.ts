import { CairnError, type RegistryStore, type TrackingStore } from '@cairn/core';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promoteModelVersion } from './promote-model-version.js';
import { registerModel } from './register-model.js';

let registry: RegistryStore;
let tracking: TrackingStore;
let experimentId: string;

beforeEach(async () => {
  registry = createMemoryRegistryStore();
  tracking = createMemoryTrackingStore({ artifactRoot: 's3://bucket' });
  experimentId = await tracking.createExperiment({ name: 'e' });
});

afterEach(async () => {
  await registry.close();
  await tracking.close();
});

async function failure(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!CairnError.isInstance(error)) throw new Error(`expected a CairnError, got ${String(error)}`);
  return error;
}

describe('registerModel', () => {
  it('creates the model once and a new version each time, from a plain URI, with tags and description', async () => {
    const first = await registerModel(
      { registry },
      { name: 'churn', source: 's3://bucket/m', tags: { team: 'ml' }, description: 'first' },
    );
    const second = await registerModel({ registry }, { name: 'churn', source: 's3://bucket/m2' });
    expect(first).toMatchObject({
      name: 'churn',
      version: '1',
      source: 's3://bucket/m',
      tags: [{ key: 'team', value: 'ml' }],
      description: 'first',
      status: 'READY',
    });
    expect(first.run_id).toBeUndefined();
    expect(second.version).toBe('2');
    expect((await registry.searchRegisteredModels({})).items.map((model) => model.name)).toEqual(['churn']);
  });

  it("registers runs:/ from the run's files when they hold an MLmodel", async () => {
    const run = await tracking.createRun({ experimentId });
    const runId = run.info.run_id;
    const listed: string[][] = [];
    const version = await registerModel(
      {
        registry,
        tracking,
        listRunArtifacts: async (id, path) => {
          listed.push([id, path]);
          return ['model/MLmodel', 'model/model.pkl'];
        },
      },
      { name: 'm', runId, artifactPath: 'model' },
    );
    expect(listed).toEqual([[runId, 'model']]);
    expect(version).toMatchObject({ source: `${run.info.artifact_uri}/model`, run_id: runId });
    expect(version.model_id).toBeUndefined();
  });

  it("registers runs:/ from the run's logged model of that name (MLflow 3), recording the version on it", async () => {
    const run = await tracking.createRun({ experimentId });
    const runId = run.info.run_id;
    const model = await tracking.createLoggedModel({ experimentId, name: 'model', sourceRunId: runId });
    const modelId = model.info.model_id;
    const version = await registerModel(
      { registry, tracking, listRunArtifacts: async () => [] },
      { name: 'm', source: `runs:/${runId}/model` },
    );
    expect(version).toMatchObject({ source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    expect(await registry.getModelVersionDownloadUri('m', '1')).toBe(model.info.artifact_uri);
    const tags = (await tracking.getLoggedModel(modelId)).info.tags;
    expect(tags).toContainEqual({ key: 'mlflow.modelVersions', value: '[{"name": "m", "version": "1"}]' });
    // A second version is appended, and the same version is never listed twice.
    await registerModel({ registry, tracking }, { name: 'm', modelId });
    const again = (await tracking.getLoggedModel(modelId)).info.tags.find(
      (tag) => tag.key === 'mlflow.modelVersions',
    );
    expect(JSON.parse(again?.value ?? '[]')).toEqual([
      { name: 'm', version: '1' },
      { name: 'm', version: '2' },
    ]);
  });

  it('picks the logged model the run output at the highest step when several share the name', async () => {
    const run = await tracking.createRun({ experimentId });
    const runId = run.info.run_id;
    const early = await tracking.createLoggedModel({ experimentId, name: 'model', sourceRunId: runId });
    const late = await tracking.createLoggedModel({ experimentId, name: 'model', sourceRunId: runId });
    const uri = `runs:/${runId}/model`;
    const ambiguous = await failure(registerModel({ registry, tracking }, { name: 'm', source: uri }));
    expect(ambiguous.code).toBe('INVALID_PARAMETER_VALUE');
    await tracking.logOutputs({
      runId,
      models: [
        { model_id: early.info.model_id, step: 5 },
        { model_id: late.info.model_id, step: 2 },
      ],
    });
    expect((await registerModel({ registry, tracking }, { name: 'm', source: uri })).model_id).toBe(
      early.info.model_id,
    );
  });

  it('registers models:/<model_id> with its run, and a copy of a registered version with its files', async () => {
    const run = await tracking.createRun({ experimentId });
    const model = await tracking.createLoggedModel({ experimentId, name: 'x', sourceRunId: run.info.run_id });
    const fromModel = await registerModel(
      { registry, tracking },
      { name: 'a', source: `models:/${model.info.model_id}` },
    );
    expect(fromModel).toMatchObject({ model_id: model.info.model_id, run_id: run.info.run_id });
    const copy = await registerModel({ registry, tracking }, { name: 'b', source: 'models:/a/1' });
    expect(copy.source).toBe('models:/a/1');
    expect(await registry.getModelVersionDownloadUri('b', '1')).toBe(model.info.artifact_uri);
  });

  it('fails clearly: no source, two sources, unknown run, unknown logged model, no tracking store', async () => {
    expect((await failure(registerModel({ registry }, { name: 'm' }))).details?.field).toBe('source');
    expect(
      (await failure(registerModel({ registry }, { name: 'm', source: 's3://x', modelId: 'm-1' }))).code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (await failure(registerModel({ registry }, { name: 'm', source: 'runs:/abc/model' }))).details?.field,
    ).toBe('source');
    expect(
      (await failure(registerModel({ registry, tracking }, { name: 'm', source: 'runs:/nope/model' }))).code,
    ).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(
      (
        await failure(
          registerModel({ registry, tracking }, { name: 'm', modelId: 'm-0123456789abcdef0123456789abcdef' }),
        )
      ).code,
    ).toBe('RESOURCE_DOES_NOT_EXIST');
    // The failed attempts created the model (as MLflow's client does first) but no version.
    expect((await registry.searchModelVersions({})).items).toEqual([]);
  });
});

describe('promoteModelVersion', () => {
  beforeEach(async () => {
    for (const source of ['s3://b/1', 's3://b/2']) await registerModel({ registry }, { name: 'm', source });
  });

  it('sets and moves an alias, and removes it without a version', async () => {
    expect(
      (await promoteModelVersion(registry, { name: 'm', version: '1', alias: 'champion' }))?.aliases,
    ).toEqual(['champion']);
    await promoteModelVersion(registry, { name: 'm', version: '2', alias: 'champion' });
    expect((await registry.getModelVersionByAlias('m', 'champion')).version).toBe('2');
    expect(await promoteModelVersion(registry, { name: 'm', alias: 'champion' })).toBeUndefined();
    expect((await failure(registry.getModelVersionByAlias('m', 'champion'))).code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('transitions stages, archiving the versions already there when asked', async () => {
    await promoteModelVersion(registry, { name: 'm', version: '1', stage: 'production' });
    const promoted = await promoteModelVersion(registry, {
      name: 'm',
      version: '2',
      stage: 'Production',
      archiveExistingVersions: true,
      alias: 'prod',
    });
    expect(promoted).toMatchObject({ current_stage: 'Production', aliases: ['prod'] });
    expect((await registry.getModelVersion('m', '1')).current_stage).toBe('Archived');
  });

  it('refuses nothing to do, a stage without a version, and archiving into a non-active stage', async () => {
    expect((await failure(promoteModelVersion(registry, { name: 'm', version: '1' }))).code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    expect(
      (await failure(promoteModelVersion(registry, { name: 'm', stage: 'Staging' }))).details?.field,
    ).toBe('version');
    const archived = await failure(
      promoteModelVersion(registry, {
        name: 'm',
        version: '1',
        stage: 'Archived',
        archiveExistingVersions: true,
        alias: 'a',
      }),
    );
    expect(archived.code).toBe('INVALID_PARAMETER_VALUE');
    // The failed stage left the alias unset.
    expect((await registry.getRegisteredModel('m')).aliases).toEqual([]);
  });
});
