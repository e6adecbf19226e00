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

async function newModel() {
  const experiment = await post(app, `${api}/experiments/create`, { name: `exp-${Math.random()}` });
  const experimentId = experiment.body.experiment_id as string;
  const run = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
  const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
  const created = await post(app, `${api}/logged-models`, {
    experiment_id: experimentId,
    name: 'model',
    source_run_id: runId,
    params: [{ key: 'lr', value: '0.1' }],
    tags: [{ key: 'mlflow.user', value: 'me' }],
  });
  expect(created.status).toBe(200);
  const model = created.body.model as { info: Record<string, unknown> };
  return { experimentId, runId, modelId: model.info.model_id as string, model };
}

describe('logged-model routes', () => {
  it('creates a pending model under mlflow-artifacts:/<exp>/models/<id>/artifacts, in MLflow wire shape', async () => {
    app = memoryServer();
    const { experimentId, runId, modelId, model } = await newModel();
    expect(modelId).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info).toMatchObject({
      experiment_id: experimentId,
      name: 'model',
      source_run_id: runId,
      status: 'LOGGED_MODEL_PENDING',
      artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
      tags: [{ key: 'mlflow.user', value: 'me' }],
    });
    expect(model).toMatchObject({ data: { params: [{ key: 'lr', value: '0.1' }] } });
    const read = await get(app, `/ajax-api/2.0/mlflow/logged-models/${modelId}`);
    expect(read.status).toBe(200);
    expect((read.body.model as { info: { model_id: string } }).info.model_id).toBe(modelId);
  });

  it('finalizes by enum name or proto number, and refuses an unknown status with 400 naming the field', async () => {
    app = memoryServer();
    const { modelId } = await newModel();
    const ready = await send('PATCH', `${api}/logged-models/${modelId}`, {
      model_id: modelId,
      status: 'LOGGED_MODEL_READY',
    });
    expect(ready.status).toBe(200);
    expect((ready.body.model as { info: { status: string } }).info.status).toBe('LOGGED_MODEL_READY');
    const failed = await send('PATCH', `${api}/logged-models/${modelId}`, { model_id: modelId, status: 3 });
    expect((failed.body.model as { info: { status: string } }).info.status).toBe(
      'LOGGED_MODEL_UPLOAD_FAILED',
    );
    const bad = await send('PATCH', `${api}/logged-models/${modelId}`, { model_id: modelId, status: 'DONE' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(String(bad.body.message)).toContain('status');
    const read = await get(app, `${api}/logged-models/${modelId}`);
    expect((read.body.model as { info: { status: string } }).info.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for an unknown model', async () => {
    app = memoryServer();
    const missing = await get(app, `${api}/logged-models/m-0123456789abcdef0123456789abcdef`);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const deleted = await send('DELETE', `${api}/logged-models/m-nope`, { model_id: 'm-nope' });
    expect(deleted.status).toBe(404);
  });

  it('rejects a bad name with 400 and stores nothing', async () => {
    app = memoryServer();
    const experiment = await post(app, `${api}/experiments/create`, { name: 'names' });
    const experimentId = experiment.body.experiment_id as string;
    const bad = await post(app, `${api}/logged-models`, { experiment_id: experimentId, name: 'a/b' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const missing = await post(app, `${api}/logged-models`, { name: 'x' });
    expect(missing.status).toBe(400);
    expect(String(missing.body.message)).toContain('experiment_id');
    const found = await post(app, `${api}/logged-models/search`, { experiment_ids: [experimentId] });
    expect(found.body).toEqual({});
  });

  it('sets and deletes tags, logs params, deletes, and searches by the filter the client sends', async () => {
    app = memoryServer();
    const { experimentId, runId, modelId } = await newModel();
    expect(
      (await send('PATCH', `${api}/logged-models/${modelId}/tags`, { tags: [{ key: 'a', value: '1' }] }))
        .status,
    ).toBe(200);
    expect(
      (
        await post(app, `${api}/logged-models/${modelId}/params`, {
          model_id: modelId,
          params: [{ key: 'p', value: 'v' }],
        })
      ).status,
    ).toBe(200);
    expect((await send('DELETE', `${api}/logged-models/${modelId}/tags/a`)).status).toBe(200);
    expect((await send('DELETE', `${api}/logged-models/${modelId}/tags/a`)).status).toBe(404);
    const search = await post(app, `${api}/logged-models/search`, {
      experiment_ids: [experimentId],
      filter: "name = 'model'",
      order_by: [{ field_name: 'creation_timestamp', ascending: false }],
    });
    const models = search.body.models as { info: { model_id: string; source_run_id: string } }[];
    expect(models.map((model) => model.info.model_id)).toEqual([modelId]);
    expect(models[0]?.info.source_run_id).toBe(runId);
    expect(search.body.next_page_token).toBeUndefined();
    expect((await send('DELETE', `${api}/logged-models/${modelId}`, { model_id: modelId })).status).toBe(200);
    expect((await post(app, `${api}/logged-models/search`, { experiment_ids: [experimentId] })).body).toEqual(
      {},
    );
    const allowed = await get(app, `${api}/logged-models/${modelId}?allow_deleted=true`);
    expect(allowed.status).toBe(200);
  });

  it('lists a model artifact directory with basenames, and documents the routes in OpenAPI', async () => {
    app = memoryServer();
    const { experimentId, modelId } = await newModel();
    const put = await app.inject({
      method: 'PUT',
      url: `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/models/${modelId}/artifacts/MLmodel`,
      payload: 'flavors: {}\n',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.statusCode).toBe(200);
    const listed = await get(app, `${api}/logged-models/${modelId}/artifacts/directories`);
    expect(listed.body).toMatchObject({
      root_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
      files: [{ path: 'MLmodel', is_dir: false, file_size: 12 }],
    });
    const openApi = await get(app, '/api/openapi.json');
    const paths = Object.keys(openApi.body.paths as object);
    expect(paths).toContain('/api/2.0/mlflow/logged-models');
    expect(paths).toContain('/api/2.0/mlflow/logged-models/search');
    expect(paths).toContain('/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}');
  });
});
