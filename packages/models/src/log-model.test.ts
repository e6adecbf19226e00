import { join } from 'node:path';
import type { RegistryStore, TrackingStore } from '@cairn/core';
import { createMemoryStorePlugin } from '@cairn/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import { logModel } from './log-model.js';
import { uploadModelFiles } from './model-files.js';
import { createModelStores, type ModelStores } from './model-stores.js';
import { saveModel } from './save-model.js';
import { caught, fixtures, temporaryDirectory } from './test-helpers.js';

let tracking: TrackingStore;
let registry: RegistryStore;
let stores: ModelStores;

beforeEach(async () => {
  const plugin = createMemoryStorePlugin();
  const name = `memory:models-${Math.random().toString(36).slice(2)}`;
  tracking = await (plugin.openTracking?.(name, {}) as Promise<TrackingStore>);
  registry = await (plugin.openRegistry?.(name, {}) as Promise<RegistryStore>);
  stores = createModelStores({ tracking, registry, plugins: [plugin] });
});

const doubler = (input: { rows: number[][] }) => input.rows.map((row) => (row[0] ?? 0) * 2);

describe('logModel', () => {
  it('creates a READY logged model linked to the run, uploads the files and registers a version', async () => {
    const experimentId = await tracking.createExperiment({ name: 'e' });
    const run = await tracking.createRun({ experimentId });
    await tracking.logBatch({ runId: run.info.run_id, params: [{ key: 'lr', value: '0.1' }] });
    const info = await logModel(stores, {
      model: doubler,
      name: 'doubler',
      runId: run.info.run_id,
      inputExample: [{ x: 1 }],
      registeredModelName: 'Doubler',
      tags: { team: 'a' },
      step: 3,
    });
    expect(info.modelUri).toBe(`models:/${info.modelId}`);
    expect(info.loggedModel.info).toMatchObject({
      name: 'doubler',
      status: 'LOGGED_MODEL_READY',
      source_run_id: run.info.run_id,
      experiment_id: experimentId,
    });
    expect(info.loggedModel.data?.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(info.mlmodel).toMatchObject({
      modelId: info.modelId,
      modelUuid: info.modelId,
      runId: run.info.run_id,
      artifactPath: info.artifactUri,
    });
    expect((await tracking.getRun(run.info.run_id)).outputs?.model_outputs).toEqual([
      { model_id: info.modelId, step: 3 },
    ]);
    expect(info.registeredModelVersion).toMatchObject({
      name: 'Doubler',
      version: '1',
      source: `models:/${info.modelId}`,
      model_id: info.modelId,
    });
    const files = await (await stores.artifactStoreAt(info.artifactUri)).list();
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['MLmodel', 'code', 'input_example.json', 'serving_input_example.json']),
    );

    // A second version of the same registered model reuses it.
    const second = await logModel(stores, { model: doubler, experimentId, registeredModelName: 'Doubler' });
    expect(second.registeredModelVersion?.version).toBe('2');
    expect(second.runId).toBeUndefined();
  });

  it('marks the logged model UPLOAD_FAILED when saving fails, and passes the error on', async () => {
    const experimentId = await tracking.createExperiment({ name: 'e' });
    const error = await caught(() => logModel(stores, { model: 42 as never, experimentId }));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    const { items } = await tracking.searchLoggedModels({ experimentIds: [experimentId] });
    expect(items.map((model) => model.info.status)).toEqual(['LOGGED_MODEL_UPLOAD_FAILED']);
  });

  it('refuses before creating anything without an experiment, or a registry to register in', async () => {
    expect((await caught(() => logModel(stores, { model: doubler }))).message).toMatch(
      /needs a runId or an experimentId/u,
    );
    const experimentId = await tracking.createExperiment({ name: 'e' });
    const withoutRegistry = { ...stores, registry: undefined };
    const error = await caught(() =>
      logModel(withoutRegistry, { model: doubler, experimentId, registeredModelName: 'x' }),
    );
    expect(error.message).toMatch(/no model registry/u);
    expect((await tracking.searchLoggedModels({ experimentIds: [experimentId] })).items).toEqual([]);
  });
});

describe('loadModel by URI', () => {
  it('loads models:/ by version, alias, latest, stage and model id, and runs:/', async () => {
    const experimentId = await tracking.createExperiment({ name: 'e' });
    const run = await tracking.createRun({ experimentId });
    const info = await logModel(stores, {
      model: doubler,
      runId: run.info.run_id,
      registeredModelName: 'D',
      inputExample: [1],
    });
    await registry.setRegisteredModelAlias('D', 'champion', '1');
    await registry.transitionModelVersionStage('D', '1', 'Production', false);
    for (const uri of [
      'models:/D/1',
      'models:/D@champion',
      'models:/D/latest',
      'models:/D/Production',
      info.modelUri,
    ]) {
      const model = await loadModel(uri, { stores });
      expect(model.uri).toBe(uri);
      await expect(model.predict([4])).resolves.toEqual([8]);
      await model.close();
    }
    // An MLflow 2 style model under the run's artifacts.
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, { model: () => 'from run' });
    await uploadModelFiles(dir, await stores.artifactStoreAt(`${run.info.artifact_uri}/model`));
    await expect((await loadModel(`runs:/${run.info.run_id}/model`, { stores })).predict('x')).resolves.toBe(
      'from run',
    );
  });

  it('reads the MLmodel and signature of a Python model and refuses to load it, naming the flavors', async () => {
    const experimentId = await tracking.createExperiment({ name: 'e' });
    const model = await tracking.createLoggedModel({ experimentId });
    await uploadModelFiles(
      join(fixtures, 'mlflow-3.18/sklearn-columns'),
      await stores.artifactStoreAt(model.info.artifact_uri),
    );
    const error = await caught(() => loadModel(`models:/${model.info.model_id}`, { stores }));
    expect(error.message).toContain(
      "python_function (loader_module mlflow.sklearn) needs Python's mlflow.sklearn (no JavaScript loader)",
    );
  });

  it('fails clearly for unknown models, empty locations and missing stores', async () => {
    expect((await caught(() => loadModel('models:/nope/1', { stores }))).code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await caught(() => loadModel('models:/nope/1'))).message).toMatch(/needs stores/u);
    const empty = await caught(() => loadModel('memory://artifacts/nothing-here', { stores }));
    expect(empty.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(empty.message).toContain('memory://artifacts/nothing-here');
    const noTracking = await caught(() =>
      loadModel('runs:/abc/model', { stores: { ...stores, tracking: undefined } }),
    );
    expect(noTracking.message).toMatch(/needs a tracking store/u);
  });
});
