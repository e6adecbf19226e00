import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTestS3Environment, startTestS3Server, type TestS3Server } from '@cairn/store-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'cairn-client-models-'));
const model = (input: { rows: number[][] }) => input.rows.map((row) => (row[0] ?? 0) * 10);

describe('CairnClient models on a local store', () => {
  it('saves, logs and loads by path, file: URI, runs:/ and models:/ on an mlruns store', async () => {
    const root = await tempDir();
    const client = createCairnClient({ trackingUri: `file://${join(root, 'mlruns')}`, cwd: root });
    const saved = join(root, 'saved');
    await client.saveModel(saved, { model, inputExample: [1] });
    await expect((await client.loadModel('saved')).predict([2])).resolves.toEqual([20]);
    await expect((await client.loadModel(`file://${saved}`)).predict([3])).resolves.toEqual([30]);

    const run = await client.createRun('0');
    await client.logArtifacts(run.info.run_id, saved, 'model');
    await expect((await client.loadModel(`runs:/${run.info.run_id}/model`)).predict([4])).resolves.toEqual([
      40,
    ]);

    // The mlruns store's registry (MLflow's mlruns/models layout) holds the version logModel registers.
    const info = await client.logModel({
      model,
      runId: run.info.run_id,
      inputExample: [1],
      registeredModelName: 'times-ten',
    });
    expect(info.artifactUri).toMatch(/^file:\/\//u);
    await expect((await client.loadModel(info.modelUri)).predict([5])).resolves.toEqual([50]);
    await expect((await client.loadModel('models:/times-ten/1')).predict([6])).resolves.toEqual([60]);
    await expect(client.loadModel('models:/nothing/1')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(client.loadModel('models:/times-ten@missing')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
    await client.close();
  });
});

describe('CairnClient models on S3 (moto server)', () => {
  let server: TestS3Server;
  let restoreEnvironment = () => {};

  beforeAll(async () => {
    server = await startTestS3Server();
    await server.createBucket('client-models');
    restoreEnvironment = setTestS3Environment(server);
  }, 300_000);

  afterAll(async () => {
    restoreEnvironment();
    await server?.stop();
  });

  it('logs a model to s3:// and loads it by models:/<model_id> and by its s3:// URI', async () => {
    const root = await tempDir();
    const client = createCairnClient({ trackingUri: `sqlite:///${join(root, 'mlflow.db')}` });
    const experimentId = await client.createExperiment('on-s3', {
      artifactLocation: 's3://client-models/mlflow',
    });
    const info = await client.logModel({
      model,
      experimentId,
      inputExample: [1],
      registeredModelName: 'Tens',
    });
    expect(info.artifactUri).toMatch(/^s3:\/\/client-models\/mlflow\//u);
    for (const uri of [info.modelUri, info.artifactUri, 'models:/Tens/1']) {
      const loaded = await client.loadModel(uri);
      await expect(loaded.predict([7])).resolves.toEqual([70]);
      await loaded.close();
    }
    await client.close();
  });
});
