import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer, post } from './test-helpers.js';

const api = '/api/2.0/mlflow';
let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

async function newRun(name = `exp-${Math.random()}`) {
  const { body } = await post(app, `${api}/experiments/create`, { name });
  const experimentId = body.experiment_id as string;
  const run = await post(app, `${api}/runs/create`, {
    experiment_id: experimentId,
    start_time: '1700000000000',
  });
  const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
  return { experimentId, runId };
}

describe('experiments', () => {
  it('creates, reads by id and by name, renames, tags, deletes and restores', async () => {
    app = memoryServer();
    const created = await post(app, `${api}/experiments/create`, {
      name: 'alpha',
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect(typeof id).toBe('string');
    const byId = await get(app, `${api}/experiments/get?experiment_id=${id}`);
    expect(byId.body.experiment).toMatchObject({
      name: 'alpha',
      lifecycle_stage: 'active',
      tags: [{ key: 'k', value: 'v' }],
    });
    expect((byId.body.experiment as { artifact_location: string }).artifact_location).toBe(
      `mlflow-artifacts:/${id}`,
    );
    const byName = await get(app, `/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=alpha`);
    expect(byName.body.experiment).toMatchObject({ experiment_id: id });
    expect(
      (await post(app, `${api}/experiments/update`, { experiment_id: id, new_name: 'beta' })).body,
    ).toEqual({});
    await post(app, `${api}/experiments/set-experiment-tag`, { experiment_id: id, key: 't', value: '1' });
    await post(app, `${api}/experiments/delete-experiment-tag`, { experiment_id: id, key: 'k' });
    await post(app, `${api}/experiments/delete`, { experiment_id: id });
    const deleted = await get(app, `${api}/experiments/get?experiment_id=${id}`);
    expect(deleted.body.experiment).toMatchObject({
      name: 'beta',
      lifecycle_stage: 'deleted',
      tags: [{ key: 't', value: '1' }],
    });
    await post(app, `${api}/experiments/restore`, { experiment_id: id });
    expect((await get(app, `${api}/experiments/get?experiment_id=${id}`)).body.experiment).toMatchObject({
      lifecycle_stage: 'active',
    });
  });

  it('answers MLflow error codes with MLflow statuses', async () => {
    app = memoryServer();
    await post(app, `${api}/experiments/create`, { name: 'dup' });
    const duplicate = await post(app, `${api}/experiments/create`, { name: 'dup' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const missing = await get(app, `${api}/experiments/get-by-name?experiment_name=nope`);
    expect(missing).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const noName = await post(app, `${api}/experiments/create`, {});
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(noName.body.message).toContain("'name'");
  });

  it('searches with view_type by name or number, repeated order_by keys and no token on the last page', async () => {
    app = memoryServer();
    for (const name of ['s1', 's2', 's3']) await post(app, `${api}/experiments/create`, { name });
    const first = await post(app, `${api}/experiments/search`, { max_results: '2', order_by: ['name ASC'] });
    expect((first.body.experiments as { name: string }[]).map((e) => e.name)).toEqual(['Default', 's1']);
    expect(typeof first.body.next_page_token).toBe('string');
    const rest = await get(
      app,
      `${api}/experiments/search?max_results=10&order_by=name+ASC&page_token=${encodeURIComponent(first.body.next_page_token as string)}`,
    );
    expect((rest.body.experiments as { name: string }[]).map((e) => e.name)).toEqual(['s2', 's3']);
    expect('next_page_token' in rest.body).toBe(false);
    const byNumber = await post(app, `${api}/experiments/search`, { view_type: 2 });
    expect(byNumber.body).toEqual({ experiments: [] });
    const tooMany = await post(app, `${api}/experiments/search`, { max_results: 50001 });
    expect(tooMany).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('runs', () => {
  it('accepts run_uuid beside run_id, int64 as strings, NaN and infinities as strings', async () => {
    app = memoryServer();
    const { runId } = await newRun();
    expect(
      (
        await post(app, `${api}/runs/log-metric`, {
          run_uuid: runId,
          key: 'm',
          value: 'NaN',
          timestamp: '5',
          step: '2',
        })
      ).status,
    ).toBe(200);
    await post(app, `${api}/runs/log-batch`, {
      run_id: runId,
      metrics: [
        { key: 'inf', value: 'Infinity', timestamp: 6, step: 0 },
        { key: 'ninf', value: '-Infinity', timestamp: 6 },
      ],
      params: [{ key: 'p', value: '1' }],
      tags: [{ key: 't', value: 'x' }],
    });
    await post(app, `${api}/runs/log-parameter`, { run_id: runId, key: 'lr', value: '0.1' });
    await post(app, `${api}/runs/set-tag`, { run_id: runId, key: 'gone', value: 'soon' });
    expect((await post(app, `${api}/runs/delete-tag`, { run_id: runId, key: 'gone' })).body).toEqual({});
    const response = await app.inject({ method: 'GET', url: `${api}/runs/get?run_uuid=${runId}` });
    expect(response.body).toContain('"value":"NaN"');
    expect(response.body).toContain('"value":"Infinity"');
    expect(response.body).toContain('"value":"-Infinity"');
    const run = response.json().run;
    expect(run.info).toMatchObject({
      run_id: runId,
      run_uuid: runId,
      start_time: 1700000000000,
      status: 'RUNNING',
    });
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'p', value: '1' },
        { key: 'lr', value: '0.1' },
      ]),
    );
    expect(run.data.tags.map((tag: { key: string }) => tag.key)).not.toContain('gone');
    const history = await get(app, `${api}/metrics/get-history?run_id=${runId}&metric_key=m`);
    expect(history.body.metrics).toEqual([{ key: 'm', value: 'NaN', timestamp: 5, step: 2 }]);
  });

  it('updates a run with an enum given by name or number, deletes and restores it', async () => {
    app = memoryServer();
    const { runId } = await newRun();
    const updated = await post(app, `${api}/runs/update`, {
      run_id: runId,
      status: 'FINISHED',
      end_time: 1700000001000,
    });
    expect(updated.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 1700000001000 });
    const byNumber = await post(app, `${api}/runs/update`, { run_id: runId, status: 4 });
    expect(byNumber.body.run_info).toMatchObject({ status: 'FAILED' });
    await post(app, `${api}/runs/delete`, { run_id: runId });
    expect((await get(app, `${api}/runs/get?run_id=${runId}`)).body.run).toMatchObject({
      info: { lifecycle_stage: 'deleted' },
    });
    await post(app, `${api}/runs/restore`, { run_id: runId });
    expect((await get(app, `${api}/runs/get?run_id=${runId}`)).body.run).toMatchObject({
      info: { lifecycle_stage: 'active' },
    });
    const unknown = await get(app, `${api}/runs/get?run_id=0123456789abcdef0123456789abcdef`);
    expect(unknown).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('searches runs with a filter and ordering, paging without a token on the last page', async () => {
    app = memoryServer();
    const { experimentId, runId } = await newRun();
    const second = await post(app, `${api}/runs/create`, { experiment_id: experimentId, run_name: 'two' });
    const secondId = (second.body.run as { info: { run_id: string } }).info.run_id;
    await post(app, `${api}/runs/log-metric`, { run_id: runId, key: 'acc', value: 0.5, timestamp: 1 });
    await post(app, `${api}/runs/log-metric`, { run_id: secondId, key: 'acc', value: 0.9, timestamp: 1 });
    const found = await post(app, `${api}/runs/search`, {
      experiment_ids: [experimentId],
      filter: 'metrics.acc > 0.1',
      order_by: ['metrics.acc DESC'],
      max_results: 1,
    });
    expect((found.body.runs as { info: { run_id: string } }[]).map((run) => run.info.run_id)).toEqual([
      secondId,
    ]);
    const next = await post(app, `${api}/runs/search`, {
      experiment_ids: [experimentId],
      filter: 'metrics.acc > 0.1',
      order_by: ['metrics.acc DESC'],
      max_results: 1,
      page_token: found.body.next_page_token,
    });
    expect((next.body.runs as { info: { run_id: string } }[]).map((run) => run.info.run_id)).toEqual([runId]);
    const bad = await post(app, `${api}/runs/search`, {
      experiment_ids: [experimentId],
      filter: 'metrics.acc >',
    });
    expect(bad).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('logs inputs, outputs and the legacy log-model history', async () => {
    app = memoryServer();
    const { runId } = await newRun();
    const dataset = { name: 'd', digest: 'abc', source_type: 'local', source: '{"uri":"x"}' };
    await post(app, `${api}/runs/log-inputs`, {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset }],
    });
    await post(app, `${api}/runs/outputs`, { run_id: runId, models: [{ model_id: 'm-1', step: '3' }] });
    const model = { artifact_path: 'model', flavors: {}, utc_time_created: '2024-01-01', run_id: runId };
    await post(app, `${api}/runs/log-model`, { run_id: runId, model_json: JSON.stringify(model) });
    const run = (await get(app, `${api}/runs/get?run_id=${runId}`)).body.run as {
      inputs: { dataset_inputs: unknown[] };
      outputs?: { model_outputs: unknown[] };
      data: { tags: { key: string; value: string }[] };
    };
    expect(run.inputs.dataset_inputs).toEqual([
      { tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset },
    ]);
    expect(run.outputs?.model_outputs).toEqual([{ model_id: 'm-1', step: 3 }]);
    const history = run.data.tags.find((tag) => tag.key === 'mlflow.log-model.history');
    expect(JSON.parse(history?.value ?? '[]')).toEqual([model]);
    const missing = await post(app, `${api}/runs/log-model`, { run_id: runId, model_json: '{}' });
    expect(missing).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('samples metric history across runs with get-history-bulk-interval (repeated run_ids keys)', async () => {
    app = memoryServer();
    const { experimentId, runId } = await newRun();
    const other = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
    const otherId = (other.body.run as { info: { run_id: string } }).info.run_id;
    for (const id of [runId, otherId]) {
      await post(app, `${api}/runs/log-batch`, {
        run_id: id,
        metrics: Array.from({ length: 10 }, (_, step) => ({
          key: 'loss',
          value: step,
          timestamp: 100 + step,
          step,
        })),
      });
    }
    const sampled = await get(
      app,
      `${api}/metrics/get-history-bulk-interval?run_ids=${runId}&run_ids=${otherId}&metric_key=loss&max_results=3`,
    );
    const metrics = sampled.body.metrics as { step: number; run_id: string }[];
    // MLflow's picks: floor(i * 10 / 3) for i < 3, then the last step.
    expect(metrics.filter((m) => m.run_id === runId).map((m) => m.step)).toEqual([0, 3, 6, 9]);
    expect(metrics.filter((m) => m.run_id === otherId)).toHaveLength(4);
    const ranged = await get(
      app,
      `${api}/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=loss&start_step=2&end_step=4`,
    );
    expect((ranged.body.metrics as { step: number }[]).map((m) => m.step)).toEqual([2, 3, 4]);
    const half = await get(
      app,
      `${api}/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=loss&start_step=2`,
    );
    expect(half.status).toBe(400);
  });
});

describe('the edge', () => {
  it('answers an unknown route with 404 ENDPOINT_NOT_FOUND', async () => {
    app = memoryServer();
    const response = await post(app, `${api}/no/such/thing`, {});
    expect(response).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
    expect((await get(app, '/api/2.0/mlflow/runs/create')).body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('refuses a POST without application/json (a CORS-free text/plain POST from a web page)', async () => {
    app = memoryServer();
    const textPlain = await app.inject({
      method: 'POST',
      url: `${api}/experiments/create`,
      headers: { 'content-type': 'text/plain' },
      payload: '{"name":"evil"}',
    });
    expect(textPlain.statusCode).toBe(400);
    expect(textPlain.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    const none = await app.inject({ method: 'POST', url: `${api}/experiments/create`, payload: '' });
    expect(none.statusCode).toBe(400);
    expect((await get(app, `${api}/experiments/get-by-name?experiment_name=evil`)).status).toBe(404);
  });

  it('reads an empty JSON body as {} and a double-encoded JSON string body', async () => {
    app = memoryServer();
    const doubled = await app.inject({
      method: 'POST',
      url: `${api}/experiments/create`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(JSON.stringify({ name: 'twice' })),
    });
    expect(doubled.statusCode).toBe(200);
    const empty = await app.inject({
      method: 'POST',
      url: `${api}/experiments/create`,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });

  it('limits a log-batch body to 1 MB with INVALID_PARAMETER_VALUE', async () => {
    app = memoryServer();
    const { runId } = await newRun();
    const big = await post(app, `${api}/runs/log-batch`, {
      run_id: runId,
      tags: [{ key: 't', value: 'x'.repeat(1_100_000) }],
    });
    expect(big).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it("turns the MLflow client's OTLP span export off with its 501 answer", async () => {
    app = memoryServer();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([0]),
    });
    expect(response.statusCode).toBe(501);
    expect(response.json().detail).toContain('REST OTLP span logging is not supported');
  });

  it('serves /health, /version and an OpenAPI document built from the schemas', async () => {
    app = memoryServer();
    expect((await app.inject('/health')).body).toBe('OK');
    expect((await app.inject('/version')).body).toMatch(/^3\.\d+\.\d+$/u);
    const doc = (await get(app, '/api/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/2.0/mlflow/runs/log-batch']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/2.0/mlflow/runs/get']?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['run_id', 'run_uuid']),
    );
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(28);
  });

  it('rejects Host headers outside the allowlist and adds CORS headers only for allowed origins', async () => {
    app = memoryServer({
      hostAllowlist: ['localhost', '127.0.0.1:5000'],
      corsAllowlist: ['http://ui.example'],
    });
    expect((await app.inject({ url: '/health', headers: { host: 'localhost:1234' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health', headers: { host: '127.0.0.1:5000' } })).statusCode).toBe(200);
    const rebinding = await app.inject({ url: '/health', headers: { host: 'evil.example' } });
    expect(rebinding.statusCode).toBe(403);
    const allowed = await app.inject({
      url: '/health',
      headers: { host: 'localhost', origin: 'http://ui.example' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://ui.example');
    const other = await app.inject({
      url: '/health',
      headers: { host: 'localhost', origin: 'http://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers by default', async () => {
    app = memoryServer();
    const response = await app.inject({ url: '/health', headers: { origin: 'http://ui.example' } });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
