import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathToFileUri } from '@cairn/core';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer, post } from './test-helpers.js';

const api = '/api/2.0/mlflow';
let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

async function send(method: 'PATCH' | 'DELETE', url: string, body?: object) {
  const response = await app.inject({ method, url, ...(body ? { payload: body } : {}) });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('model-registry routes', () => {
  it('serves the registry in MLflow wire shape under /api and /ajax-api', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const created = await post(app, `${api}/registered-models/create`, {
      name: 'wire',
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(created.status).toBe(200);
    expect(created.body.registered_model).toMatchObject({ name: 'wire', tags: [{ key: 'k', value: 'v' }] });
    const version = await post(app, `${api}/model-versions/create`, { name: 'wire', source: 's3://b/m' });
    expect(version.body.model_version).toMatchObject({
      name: 'wire',
      version: '1',
      current_stage: 'None',
      status: 'READY',
      // MLflow's server answers "" for a version created without a description; its client reads absent as None.
      description: '',
    });
    const read = await get(app, `${api}/model-versions/get?name=wire&version=1`);
    expect(read.body.model_version).toMatchObject({ description: '' });
    const listed = await get(app, `${api}/registered-models/get?name=wire`);
    expect(listed.body.registered_model).toMatchObject({
      latest_versions: [{ version: '1', description: '' }],
    });
    const byAjax = await get(app, '/ajax-api/2.0/mlflow/model-versions/get?name=wire&version=1');
    expect(byAjax.status).toBe(200);
    const uri = await get(app, `${api}/model-versions/get-download-uri?name=wire&version=1`);
    expect(uri.body).toEqual({ artifact_uri: 's3://b/m' });
    const search = await get(
      app,
      `${api}/registered-models/search?filter=${encodeURIComponent("name LIKE 'w%'")}`,
    );
    expect((search.body.registered_models as unknown[]).length).toBe(1);
    const empty = await get(
      app,
      `${api}/model-versions/search?filter=${encodeURIComponent("name = 'none'")}`,
    );
    expect(empty.body).toEqual({});
    const latest = await app.inject({
      method: 'GET',
      url: `${api}/registered-models/get-latest-versions?name=wire`,
    });
    expect((latest.json() as { model_versions: unknown[] }).model_versions.length).toBe(1);
    expect((await send('DELETE', `${api}/registered-models/delete`, { name: 'wire' })).status).toBe(200);
  });

  it('answers bad input with MLflow codes and statuses, losing nothing stored', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    await post(app, `${api}/registered-models/create`, { name: 'keep', description: 'kept' });
    const duplicate = await post(app, `${api}/registered-models/create`, { name: 'keep' });
    expect([duplicate.status, duplicate.body.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    const missingName = await post(app, `${api}/registered-models/create`, {});
    expect([missingName.status, missingName.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(String(missingName.body.message)).toContain("'name'");
    const unknown = await get(app, `${api}/registered-models/get?name=nope`);
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    const noSource = await post(app, `${api}/model-versions/create`, { name: 'keep' });
    expect([noSource.status, noSource.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(String(noSource.body.message)).toContain('source');
    await post(app, `${api}/model-versions/create`, { name: 'keep', source: 's3://b/1' });
    const stage = await post(app, `${api}/model-versions/transition-stage`, {
      name: 'keep',
      version: '1',
      stage: 'Shipped',
      archive_existing_versions: false,
    });
    expect([stage.status, stage.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const alias = await post(app, `${api}/registered-models/alias`, {
      name: 'keep',
      alias: 'v1',
      version: '1',
    });
    expect([alias.status, alias.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const noAlias = await get(app, `${api}/registered-models/alias?name=keep&alias=gone`);
    expect([noAlias.status, noAlias.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const badVersion = await get(app, `${api}/model-versions/get?name=keep&version=x`);
    expect([badVersion.status, badVersion.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const badMax = await get(app, `${api}/registered-models/search?max_results=5000`);
    expect([badMax.status, badMax.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const read = await get(app, `${api}/model-versions/get?name=keep&version=1`);
    expect(read.body.model_version).toMatchObject({
      version: '1',
      current_stage: 'None',
      source: 's3://b/1',
    });
    const model = await get(app, `${api}/registered-models/get?name=keep`);
    expect(model.body.registered_model).toMatchObject({ name: 'keep', description: 'kept' });
  });

  it('registers models:/<model_id> at the logged model artifact location and tags the logged model', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const experiment = await post(app, `${api}/experiments/create`, { name: 'reg-exp' });
    const experimentId = experiment.body.experiment_id as string;
    const run = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
    const logged = await post(app, `${api}/logged-models`, {
      experiment_id: experimentId,
      source_run_id: runId,
    });
    const info = (logged.body.model as { info: { model_id: string; artifact_uri: string } }).info;
    await post(app, `${api}/registered-models/create`, { name: 'lm' });
    for (const expected of ['1', '2']) {
      const created = await post(app, `${api}/model-versions/create`, {
        name: 'lm',
        source: `models:/${info.model_id}`,
        model_id: info.model_id,
      });
      expect(created.body.model_version).toMatchObject({
        version: expected,
        source: `models:/${info.model_id}`,
        run_id: runId,
        model_id: info.model_id,
      });
    }
    const uri = await get(app, `${api}/model-versions/get-download-uri?name=lm&version=1`);
    expect(uri.body.artifact_uri).toBe(info.artifact_uri);
    const copy = await post(app, `${api}/model-versions/create`, { name: 'lm', source: 'models:/lm/1' });
    expect((copy.body.model_version as { run_id: string }).run_id).toBe(runId);
    const copyUri = await get(app, `${api}/model-versions/get-download-uri?name=lm&version=3`);
    expect(copyUri.body.artifact_uri).toBe(info.artifact_uri);
    const model = await get(app, `${api}/logged-models/${info.model_id}`);
    const tags = (model.body.model as { info: { tags: { key: string; value: string }[] } }).info.tags;
    // Written as MLflow's server writes it: Python's json.dumps, integer versions.
    expect(tags.find((tag) => tag.key === 'mlflow.modelVersions')?.value).toBe(
      '[{"name": "lm", "version": 1}, {"name": "lm", "version": 2}, {"name": "lm", "version": 3}]',
    );
  });

  it('records a models:/ source under the model_id given with it, as MLflow does, even when they differ', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const experiment = await post(app, `${api}/experiments/create`, { name: 'two-models' });
    const experimentId = experiment.body.experiment_id as string;
    const [first, second] = await Promise.all(
      [1, 2].map(async () => {
        const logged = await post(app, `${api}/logged-models`, { experiment_id: experimentId });
        return (logged.body.model as { info: { model_id: string; artifact_uri: string } }).info;
      }),
    );
    if (first === undefined || second === undefined) throw new Error('two logged models expected');
    await post(app, `${api}/registered-models/create`, { name: 'pair' });
    const created = await post(app, `${api}/model-versions/create`, {
      name: 'pair',
      source: `models:/${first.model_id}`,
      model_id: second.model_id,
    });
    expect(created.status).toBe(200);
    expect(created.body.model_version).toMatchObject({ model_id: second.model_id });
    const uri = await get(app, `${api}/model-versions/get-download-uri?name=pair&version=1`);
    expect(uri.body.artifact_uri).toBe(first.artifact_uri);
    const tagged = await get(app, `${api}/logged-models/${second.model_id}`);
    const tags = (tagged.body.model as { info: { tags: { key: string; value: string }[] } }).info.tags;
    expect(tags.find((tag) => tag.key === 'mlflow.modelVersions')?.value).toBe(
      '[{"name": "pair", "version": 1}]',
    );
  });

  it('takes a local source only inside the artifact directory of the run or logged model given with it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-sources-'));
    try {
      app = memoryServer({
        trackingStore: createMemoryTrackingStore({ artifactRoot: pathToFileUri(join(root, 'artifacts')) }),
        registryStore: createMemoryRegistryStore(),
      });
      const experiment = await post(app, `${api}/experiments/create`, { name: 'local-exp' });
      const experimentId = experiment.body.experiment_id as string;
      const newRun = async () => {
        const run = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
        return (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
      };
      const run = await newRun();
      const other = await newRun();
      const logged = await post(app, `${api}/logged-models`, { experiment_id: experimentId });
      const model = (logged.body.model as { info: { model_id: string; artifact_uri: string } }).info;
      const runDir = fileURLToPath(run.artifact_uri);
      // A link inside the run's artifacts that leads out of them is followed, as Python's Path.resolve does.
      await mkdir(runDir, { recursive: true });
      await symlink(root, join(runDir, 'escape'));
      await post(app, `${api}/registered-models/create`, { name: 'local' });

      const refused: Array<Record<string, string>> = [
        { source: '/etc/passwd' },
        { source: run.artifact_uri },
        { source: runDir },
        { source: 'file:///etc/passwd', run_id: run.run_id },
        { source: '/tmp', run_id: run.run_id },
        { source: `${runDir}/../../other/model`, run_id: run.run_id },
        { source: `${run.artifact_uri}/..%2f..%2fother`, run_id: run.run_id },
        { source: `${runDir}/escape/elsewhere`, run_id: run.run_id },
        { source: `${run.artifact_uri}/model`, run_id: other.run_id },
        { source: 'relative/model', run_id: run.run_id },
        { source: `${run.artifact_uri}/model`, model_id: model.model_id },
        { source: 'file:///path/to/model', model_id: model.model_id },
      ];
      for (const body of refused) {
        const response = await post(app, `${api}/model-versions/create`, { name: 'local', ...body });
        expect([response.status, response.body.error_code], JSON.stringify(body)).toEqual([
          400,
          'INVALID_PARAMETER_VALUE',
        ]);
        const owner = body.model_id === undefined ? 'run_id' : 'model_id';
        expect(response.body.message, JSON.stringify(body)).toContain(
          `To use a local path as a model version source, the ${owner} request parameter has to be specified`,
        );
      }
      // The message names the path as resolved, so a hidden '..' shows where it led.
      const resolved = await post(app, `${api}/model-versions/create`, {
        name: 'local',
        source: `${runDir}/../../other`,
        run_id: run.run_id,
      });
      expect(resolved.body.message).toContain(`'${join(runDir, '..', '..', 'other')}'`);

      const unknownRun = await post(app, `${api}/model-versions/create`, {
        name: 'local',
        source: `${run.artifact_uri}/model`,
        run_id: 'f'.repeat(32),
      });
      expect([unknownRun.status, unknownRun.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      const remoteFile = await post(app, `${api}/model-versions/create`, {
        name: 'local',
        source: 'file://123.456.789.123/path/to/source',
        run_id: run.run_id,
      });
      expect([remoteFile.status, remoteFile.body.error_code]).toEqual([500, 'INTERNAL_ERROR']);
      expect(remoteFile.body.message).toContain('is not a valid remote uri');

      const accepted: Array<Record<string, string>> = [
        { source: run.artifact_uri, run_id: run.run_id },
        { source: runDir, run_id: run.run_id },
        { source: `${run.artifact_uri}/model`, run_id: run.run_id },
        { source: `${run.artifact_uri}/.`, run_id: run.run_id },
        { source: `${run.artifact_uri}/model/..`, run_id: run.run_id },
        { source: `file://localhost${runDir}/model`, run_id: run.run_id },
        { source: model.artifact_uri, model_id: model.model_id },
        { source: `${model.artifact_uri}/MLmodel`, model_id: model.model_id, run_id: other.run_id },
      ];
      for (const body of accepted) {
        const response = await post(app, `${api}/model-versions/create`, { name: 'local', ...body });
        expect(response.status, `${JSON.stringify(body)} ${JSON.stringify(response.body)}`).toBe(200);
      }
      // Numbering shows the refused requests stored nothing.
      const versions = await get(
        app,
        `${api}/model-versions/search?filter=${encodeURIComponent("name = 'local'")}`,
      );
      expect((versions.body.model_versions as unknown[]).length).toBe(accepted.length);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('takes any other source without relative references, whatever run_id comes with it', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const experiment = await post(app, `${api}/experiments/create`, { name: 'remote-exp' });
    const run = await post(app, `${api}/runs/create`, { experiment_id: experiment.body.experiment_id });
    const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
    await post(app, `${api}/registered-models/create`, { name: 'remote' });
    const refused = [
      'mlflow-artifacts://host:9000/models/../../../',
      'http://host:9000/models/../../../',
      'https://host/api/2.0/mlflow-artifacts/artifacts/../../../',
      's3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../',
      'ftp://host:8888/api/2.0/mlflow-artifacts/artifacts/../../../',
      'mlflow-artifacts://host:9000/models/..%2f..%2fartifacts',
      'mlflow-artifacts://host:9000/models/..%252f..%252fartifacts',
      's3://bucket/a/%2e%2e/b',
      'mlflow-artifacts://host:9000/models/artifact%00',
      `dbfs:/${runId}/artifacts/a%3f/../../../../../../../../../../`,
      'http://host/models/..;jsessionid=1',
      's3://bucket/a/./b',
      'runs:/run/../other',
      'runs:model',
      's3://bucket',
      // Encoded more times than any client would: refused rather than decoded round after round.
      `mlflow-artifacts:/models/%${'25'.repeat(30)}2e`,
    ];
    for (const source of refused) {
      const response = await post(app, `${api}/model-versions/create`, {
        name: 'remote',
        source,
        run_id: runId,
      });
      expect([response.status, response.body.error_code], source).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(response.body.message, source).toContain(
        `Invalid model version source: '${source}'. If supplying a source as an http, https,`,
      );
    }
    const accepted: Array<Record<string, string>> = [
      { source: `runs:/${runId}/model`, run_id: runId },
      { source: 'runs:/another_run/model', run_id: runId },
      { source: 'runs:/run_id/model', run_id: 'run_id' },
      { source: `runs:/${runId}/model` },
      { source: 'mlflow-artifacts:/models', run_id: runId },
      { source: 'mlflow-artifacts:/models///', run_id: runId },
      { source: 'mlflow-artifacts:/models/foo///bar', run_id: runId },
      { source: 'mlflow-artifacts://host:9000/models/artifact/..../', run_id: runId },
      { source: 'https://host/api/2.0/mlflow-artifacts/artifacts/models' },
      { source: 's3://bucket/model' },
    ];
    for (const body of accepted) {
      const response = await post(app, `${api}/model-versions/create`, { name: 'remote', ...body });
      expect(response.status, `${JSON.stringify(body)} ${JSON.stringify(response.body)}`).toBe(200);
    }
    const versions = await get(
      app,
      `${api}/model-versions/search?filter=${encodeURIComponent("name = 'remote'")}`,
    );
    expect((versions.body.model_versions as unknown[]).length).toBe(accepted.length);
  });

  it('leaves the placeholder source of a prompt version unchecked, as MLflow does', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const promptTags = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];
    await post(app, `${api}/registered-models/create`, { name: 'greeting', tags: promptTags });
    const prompt = await post(app, `${api}/model-versions/create`, {
      name: 'greeting',
      source: 'prompt-template',
      tags: [...promptTags, { key: 'mlflow.prompt.text', value: 'Hello {{name}}' }],
    });
    expect(prompt.status).toBe(200);
    const model = await post(app, `${api}/model-versions/create`, {
      name: 'greeting',
      source: 'prompt-template',
    });
    expect([model.status, model.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('answers 501 NOT_IMPLEMENTED when the server has no registry store, and documents the RPCs', async () => {
    app = memoryServer();
    const response = await post(app, `${api}/registered-models/create`, { name: 'x' });
    expect([response.status, response.body.error_code]).toEqual([501, 'NOT_IMPLEMENTED']);
    await app.close();
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const doc = await get(app, '/api/openapi.json');
    const paths = Object.keys(doc.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/2.0/mlflow/registered-models/create',
        '/api/2.0/mlflow/model-versions/get-download-uri',
        '/api/2.0/mlflow/registered-models/alias',
      ]),
    );
  });
});
