import { CairnError, type RegistryStore, type TrackingStore } from '@cairn/core';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveModelsUri } from './resolve-models-uri.js';

let registry: RegistryStore;
let tracking: TrackingStore;

beforeEach(async () => {
  registry = createMemoryRegistryStore();
  tracking = createMemoryTrackingStore({ artifactRoot: 's3://bucket' });
  await registry.createRegisteredModel({ name: 'm' });
  await registry.createModelVersion({ name: 'm', source: 's3://bucket/one' });
  await registry.createModelVersion({ name: 'm', source: 's3://bucket/two' });
  await registry.setRegisteredModelAlias('m', 'champion', '1');
  await registry.transitionModelVersionStage('m', '1', 'Production', false);
});

afterEach(async () => {
  await registry.close();
  await tracking.close();
});

/** The CairnError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!CairnError.isInstance(error)) throw new Error(`expected a CairnError, got ${String(error)}`);
  return error;
}

describe('resolveModelsUri', () => {
  it('resolves a version, a stage, latest and an alias to the version and its files', async () => {
    const stores = { registry, tracking };
    for (const [uri, version, files] of [
      ['models:/m/1', '1', 's3://bucket/one'],
      ['models:/m/2', '2', 's3://bucket/two'],
      ['models:/m/Production', '1', 's3://bucket/one'],
      ['models:/m/production', '1', 's3://bucket/one'],
      ['models:/m/latest', '2', 's3://bucket/two'],
      ['models:/m@champion', '1', 's3://bucket/one'],
    ] as const) {
      const resolved = await resolveModelsUri(uri, stores);
      expect(resolved.modelVersion, uri).toMatchObject({ name: 'm', version });
      expect(resolved).toMatchObject({ loggedModel: undefined, artifactUri: files, subpath: '' });
    }
  });

  it('keeps the path after the model as a subpath', async () => {
    expect(await resolveModelsUri('models:/m/2/data/model.onnx', { registry, tracking })).toMatchObject({
      artifactUri: 's3://bucket/two',
      subpath: 'data/model.onnx',
    });
    expect(await resolveModelsUri('models:/m@champion/MLmodel', { registry, tracking })).toMatchObject({
      artifactUri: 's3://bucket/one',
      subpath: 'MLmodel',
    });
  });

  it('resolves an MLflow 3 logged model to its artifact location, without a registry', async () => {
    const model = await tracking.createLoggedModel({ experimentId: '0', name: 'lm' });
    const resolved = await resolveModelsUri(`models:/${model.info.model_id}`, { tracking });
    expect(resolved).toMatchObject({
      modelVersion: undefined,
      loggedModel: { info: { model_id: model.info.model_id } },
      artifactUri: model.info.artifact_uri,
      subpath: '',
    });
  });

  it('follows a version registered from another models:/ URI to that one’s files, unless told not to', async () => {
    const model = await tracking.createLoggedModel({ experimentId: '0', name: 'lm' });
    await registry.createRegisteredModel({ name: 'copy' });
    await registry.createModelVersion({ name: 'copy', source: 'models:/m/1/inner' });
    await registry.createModelVersion({ name: 'copy', source: `models:/${model.info.model_id}` });
    const stores = { registry, tracking };

    const copied = await resolveModelsUri('models:/copy/1/file.txt', stores);
    expect(copied.modelVersion).toMatchObject({ name: 'copy', version: '1' });
    expect(copied).toMatchObject({ artifactUri: 's3://bucket/one', subpath: 'inner/file.txt' });
    expect(await resolveModelsUri('models:/copy/2', stores)).toMatchObject({
      modelVersion: { name: 'copy', version: '2' },
      artifactUri: model.info.artifact_uri,
    });
    expect(await resolveModelsUri('models:/copy/1', stores, { followCopies: false })).toMatchObject({
      artifactUri: 'models:/m/1/inner',
      subpath: '',
    });
  });

  it('fails on copies that refer to each other in a loop', async () => {
    await registry.createRegisteredModel({ name: 'loop' });
    await registry.createModelVersion({ name: 'loop', source: 'models:/loop/2' });
    await registry.createModelVersion({ name: 'loop', source: 'models:/loop/1' });
    const error = await failure(resolveModelsUri('models:/loop/1', { registry, tracking }));
    expect(error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/loop/u) });
  });

  it("fails as MLflow's registry does on unknown models, versions, stages and aliases", async () => {
    const stores = { registry, tracking };
    expect(await failure(resolveModelsUri('models:/m/9', stores))).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringMatching(/m.*9/u),
    });
    expect(await failure(resolveModelsUri('models:/nobody/1', stores))).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringMatching(/nobody/u),
    });
    expect(await failure(resolveModelsUri('models:/m/Staging', stores))).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No versions of model with name 'm' and stage 'Staging' found",
    });
    // MLflow answers an unknown alias with INVALID_PARAMETER_VALUE, naming it.
    expect(await failure(resolveModelsUri('models:/m@nobody', stores))).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/nobody/u),
    });
    expect(
      await failure(resolveModelsUri('models:/m-0123456789abcdef0123456789abcdef', stores)),
    ).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });

  it('names model_uri when the URI is malformed or names a registered model with no registry given', async () => {
    for (const uri of ['runs:/abc/model', 'models:/', 'models:/m@']) {
      const error = await failure(resolveModelsUri(uri, { registry, tracking }));
      expect(error, uri).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field: 'model_uri' } });
    }
    const error = await failure(resolveModelsUri('models:/m/1', { tracking }));
    expect(error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field: 'model_uri' } });
  });
});
