import type { ArtifactStore } from '@cairn/core';
import { createMemoryArtifactStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mlflowProtocolVersion } from './create-server.js';
import { memoryServer, post } from './test-helpers.js';

const api = '/api/2.0/mlflow';
const url = '/ajax-api/2.0/mlflow/runs/create-promptlab-run';
let app: FastifyInstance;
let artifacts: ArtifactStore;
afterEach(async () => {
  await app.close();
});

let counter = 0;
function server() {
  counter += 1;
  artifacts = createMemoryArtifactStore({ rootUri: `memory://promptlab/${counter}` });
  app = memoryServer({ artifactStore: artifacts });
}

async function text(path: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await artifacts.get(path)) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

const complete = (experimentId: string) => ({
  experiment_id: experimentId,
  run_name: 'my_run_name',
  prompt_template: 'Translate {{ text }} into {{ language }}',
  prompt_parameters: [
    { key: 'text', value: 'hello' },
    { key: 'language', value: 'French' },
  ],
  model_route: 'my_route',
  model_parameters: [
    { key: 'temperature', value: 0.1 },
    { key: 'max_tokens', value: '100' },
  ],
  model_input: 'Translate hello into French',
  model_output: 'bonjour',
  model_output_parameters: [{ key: 'latency', value: 100 }],
  mlflow_version: '3.18.0',
  user_id: 'username',
  start_time: 456,
});

type WireRun = {
  info: Record<string, unknown> & { run_id: string; artifact_uri: string };
  data: { params: { key: string; value: string }[]; tags: { key: string; value: string }[] };
};

describe('POST /ajax-api/2.0/mlflow/runs/create-promptlab-run', () => {
  it("asks for MLflow's required fields one at a time, in its order, with its messages", async () => {
    server();
    const steps: [Record<string, unknown>, string][] = [
      [{}, 'experiment_id'],
      [{ experiment_id: '0' }, 'prompt_template'],
      [{ prompt_template: 't' }, 'prompt_parameters'],
      [{ prompt_parameters: [{ key: 'k', value: 'v' }] }, 'model_route'],
      [{ model_route: 'r' }, 'model_input'],
      [{ model_input: 'i' }, 'mlflow_version'],
    ];
    let body: Record<string, unknown> = {};
    for (const [more, field] of steps) {
      body = { ...body, ...more };
      const response = await post(app, url, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `CreatePromptlabRun request must specify ${field}.`,
      });
    }
    // Falsy values count as missing, as in MLflow: an empty list of prompt parameters, an empty route.
    const emptyList = await post(app, url, { ...complete('0'), prompt_parameters: [] });
    expect(emptyList.body.message).toBe('CreatePromptlabRun request must specify prompt_parameters.');
    const emptyRoute = await post(app, url, { ...complete('0'), model_route: '' });
    expect(emptyRoute.body.message).toBe('CreatePromptlabRun request must specify model_route.');
    // Nothing was created by the refused requests.
    const runs = await post(app, `${api}/runs/search`, { experiment_ids: ['0'] });
    expect(runs.body.runs ?? []).toEqual([]);
  });

  it('is a JSON RPC: a text/plain body (no CORS preflight) is refused', async () => {
    server();
    const response = await app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(complete('0')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Bad Request. Content-Type must be one of ['application/json'].",
    });
  });

  it("creates MLflow's run: params, tags, model history and the model and evaluation files, FINISHED", async () => {
    server();
    const experiment = await post(app, `${api}/experiments/create`, { name: 'prompt lab' });
    const experimentId = experiment.body.experiment_id as string;
    const response = await post(app, url, complete(experimentId));
    expect(response.status).toBe(200);
    const run = response.body.run as WireRun;
    expect(run.info).toMatchObject({
      run_name: 'my_run_name',
      experiment_id: experimentId,
      user_id: 'username',
      status: 'FINISHED',
      start_time: 456,
    });
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'temperature', value: '0.1' },
        { key: 'max_tokens', value: '100' },
        { key: 'model_route', value: 'my_route' },
        { key: 'prompt_template', value: 'Translate {{ text }} into {{ language }}' },
      ]),
    );
    expect(run.data.params).toHaveLength(4);
    const tags = Object.fromEntries(run.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags['mlflow.loggedArtifacts']).toBe('[{"path": "eval_results_table.json", "type": "table"}]');
    expect(tags['mlflow.runSourceType']).toBe('PROMPT_ENGINEERING');
    const history = JSON.parse(tags['mlflow.log-model.history'] ?? '[]') as Record<string, unknown>[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ run_id: run.info.run_id, artifact_path: 'model', flavors: {} });
    expect(history[0]?.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/u);
    expect(history[0]?.model_uuid).toMatch(/^[0-9a-f]{32}$/u);

    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/u, '');
    expect(JSON.parse(await text(`${root}/eval_results_table.json`))).toEqual({
      columns: ['text', 'language', 'prompt', 'output', 'latency'],
      data: [['hello', 'French', 'Translate hello into French', 'bonjour', '100']],
    });
    const mlmodel = parse(await text(`${root}/model/MLmodel`)) as Record<string, unknown>;
    expect(mlmodel).toMatchObject({
      artifact_path: 'model',
      run_id: run.info.run_id,
      model_uuid: history[0]?.model_uuid,
      utc_time_created: history[0]?.utc_time_created,
      mlflow_version: mlflowProtocolVersion,
      flavors: {
        python_function: {
          loader_module: 'mlflow.prompt.promptlab_model',
          parameters_path: 'parameters.yaml',
          env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        },
      },
      signature: {
        inputs:
          '[{"type": "string", "name": "text", "required": true}, {"type": "string", "name": "language", "required": true}]',
        outputs: '[{"type": "string", "name": "output", "required": true}]',
      },
    });
    expect(parse(await text(`${root}/model/parameters.yaml`))).toEqual({
      prompt_template: 'Translate {{ text }} into {{ language }}',
      prompt_parameters: { text: 'hello', language: 'French' },
      model_parameters: { temperature: '0.1', max_tokens: '100' },
      model_route: 'my_route',
    });
    expect(await text(`${root}/model/input_example.json`)).toBe('{"inputs": ["hello", "French"]}');
    expect(await text(`${root}/model/requirements.txt`)).toBe(`mlflow[gateway]==${mlflowProtocolVersion}`);
    expect(parse(await text(`${root}/model/conda.yaml`))).toEqual({
      channels: ['conda-forge'],
      dependencies: ['pip', { pip: [`mlflow[gateway]==${mlflowProtocolVersion}`] }],
      name: 'mlflow-env',
    });
    expect(parse(await text(`${root}/model/python_env.yaml`))).toEqual({
      build_dependencies: ['pip', 'setuptools', 'wheel'],
      dependencies: ['-r requirements.txt'],
    });
    // The UI reads these through get-artifact.
    const table = await app.inject(`/get-artifact?run_id=${run.info.run_id}&path=eval_results_table.json`);
    expect(table.statusCode).toBe(200);
  });

  it('defaults user_id to "unknown" and start_time to now, and takes an experiment id given as a number', async () => {
    server();
    const before = Date.now();
    const { user_id: _user, start_time: _start, run_name: _name, ...rest } = complete('0');
    const experiment = await post(app, `${api}/experiments/create`, { name: 'numbered' });
    const experimentId = experiment.body.experiment_id as string;
    expect(Number(experimentId)).toBeGreaterThan(0);
    const response = await post(app, url, { ...rest, experiment_id: Number(experimentId) });
    const run = response.body.run as WireRun;
    expect(run.info.experiment_id).toBe(experimentId);
    expect(run.info.user_id).toBe('unknown');
    expect(Number(run.info.start_time)).toBeGreaterThanOrEqual(before);
    expect(run.info.run_name).toEqual(expect.any(String));
    // A numeric id is truthy unless 0, which MLflow refuses as missing.
    const numeric = await post(app, url, { ...complete('0'), experiment_id: 0 });
    expect(numeric.body.message).toBe('CreatePromptlabRun request must specify experiment_id.');
  });

  it('ends the run FAILED, still answering 200 with it, when a step after creating it fails (as MLflow)', async () => {
    server();
    // A model parameter named model_route with another value makes log-batch refuse duplicate keys.
    const response = await post(app, url, {
      ...complete('0'),
      model_parameters: [{ key: 'model_route', value: 'another' }],
    });
    expect(response.status).toBe(200);
    const run = response.body.run as WireRun;
    expect(run.info.status).toBe('FAILED');
    expect(run.data.params).toEqual([]);
    expect(await artifacts.list('')).toEqual([]);
  });

  it('answers 404 for an unknown experiment, creating nothing', async () => {
    server();
    const response = await post(app, url, complete('12345'));
    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
