import { createMemoryRegistryStore } from '@cairn/store-memory';
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
    const versions = JSON.parse(tags.find((tag) => tag.key === 'mlflow.modelVersions')?.value ?? '[]');
    expect(versions).toEqual([
      { name: 'lm', version: '1' },
      { name: 'lm', version: '2' },
      { name: 'lm', version: '3' },
    ]);
    const mismatch = await post(app, `${api}/model-versions/create`, {
      name: 'lm',
      source: `models:/${info.model_id}`,
      model_id: 'm-00000000000000000000000000000000',
    });
    expect([mismatch.status, mismatch.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('refuses sources outside what the given run owns, as MLflow does, storing nothing', async () => {
    app = memoryServer({ registryStore: createMemoryRegistryStore() });
    const experiment = await post(app, `${api}/experiments/create`, { name: 'src-exp' });
    const run = await post(app, `${api}/runs/create`, { experiment_id: experiment.body.experiment_id });
    const info = (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
    const other = await post(app, `${api}/runs/create`, { experiment_id: experiment.body.experiment_id });
    const otherId = (other.body.run as { info: { run_id: string } }).info.run_id;
    await post(app, `${api}/registered-models/create`, { name: 'src' });
    const refused: Array<Record<string, string>> = [
      { source: '/etc/passwd' },
      { source: 'file:///etc/passwd', run_id: info.run_id },
      { source: `${info.artifact_uri}/../../other/model`, run_id: info.run_id },
      { source: `${info.artifact_uri}/..%252f..%252fother`, run_id: info.run_id },
      { source: `${info.artifact_uri}/model`, run_id: otherId },
      { source: `${info.artifact_uri}/model` },
      { source: `runs:/${info.run_id}/model` },
      { source: `runs:/${info.run_id}/model`, run_id: otherId },
      { source: 's3://bucket/a/../b' },
      { source: `${info.artifact_uri}/model`, run_id: 'f'.repeat(32) },
    ];
    for (const body of refused) {
      const response = await post(app, `${api}/model-versions/create`, { name: 'src', ...body });
      expect([response.status, response.body.error_code], JSON.stringify(body)).toEqual([
        400,
        'INVALID_PARAMETER_VALUE',
      ]);
    }
    const accepted = [
      { source: `${info.artifact_uri}/model`, run_id: info.run_id },
      { source: `runs:/${info.run_id}/model`, run_id: info.run_id },
      { source: 's3://bucket/model' },
    ];
    for (const body of accepted) {
      const response = await post(app, `${api}/model-versions/create`, { name: 'src', ...body });
      expect(response.status, JSON.stringify(body)).toBe(200);
    }
    // Numbering shows the refused requests stored nothing.
    const latest = await get(
      app,
      `${api}/model-versions/search?filter=${encodeURIComponent("name = 'src'")}`,
    );
    expect(
      (latest.body.model_versions as { version: string }[]).map((version) => version.version).sort(),
    ).toEqual(['1', '2', '3']);
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
