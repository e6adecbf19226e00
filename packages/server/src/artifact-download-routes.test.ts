import type { ArtifactStore } from '@cairn/core';
import { createMemoryArtifactStore, createMemoryRegistryStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer, post, traversalQueryPaths } from './test-helpers.js';

const api = '/api/2.0/mlflow';
let app: FastifyInstance;
let artifacts: ArtifactStore;
afterEach(async () => {
  await app.close();
});

let counter = 0;
function server(options: Parameters<typeof memoryServer>[0] = {}) {
  counter += 1;
  artifacts = createMemoryArtifactStore({ rootUri: `memory://downloads/${counter}` });
  app = memoryServer({ artifactStore: artifacts, ...options });
  return app;
}

async function newRun() {
  const experiment = await post(app, `${api}/experiments/create`, { name: `exp-${Math.random()}` });
  const experimentId = experiment.body.experiment_id as string;
  const run = await post(app, `${api}/runs/create`, { experiment_id: experimentId });
  const info = (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
  // mlflow-artifacts:/<exp>/<run>/artifacts is <exp>/<run>/artifacts in the proxy's store.
  const root = info.artifact_uri.replace(/^mlflow-artifacts:\/+/u, '');
  return { experimentId, runId: info.run_id, artifactUri: info.artifact_uri, root };
}

const traversals = traversalQueryPaths;

describe('GET /get-artifact', () => {
  it("streams a run's file by run_id or run_uuid as an attachment with MLflow's headers", async () => {
    server();
    const { runId, root } = await newRun();
    await artifacts.put(`${root}/dir/notes.txt`, 'hello');
    for (const key of ['run_id', 'run_uuid']) {
      const response = await app.inject(`/get-artifact?${key}=${runId}&path=dir/notes.txt`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('hello');
      expect(response.headers['content-type']).toMatch(/^text\/plain/u);
      expect(response.headers['content-disposition']).toBe('attachment; filename=notes.txt');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never serves HTML, SVG or script to render: attachment, nosniff, a sandbox CSP, scripts as text/plain', async () => {
    server();
    const { runId, root } = await newRun();
    const page = '<script>alert(document.cookie)</script>';
    await artifacts.put(`${root}/report.html`, page);
    await artifacts.put(`${root}/image.svg`, `<svg xmlns="http://www.w3.org/2000/svg">${page}</svg>`);
    await artifacts.put(`${root}/app.js`, 'alert(1)');
    await artifacts.put(`${root}/data.json`, '{}');
    await artifacts.put(`${root}/MLmodel`, 'flavors: {}');
    await artifacts.put(`${root}/weights.bin`, new Uint8Array([0, 1, 2]));
    const types: Record<string, string> = {};
    for (const name of ['report.html', 'image.svg', 'app.js', 'data.json', 'MLmodel', 'weights.bin']) {
      const response = await app.inject(`/get-artifact?run_id=${runId}&path=${name}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-disposition']).toBe(`attachment; filename=${name}`);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe('sandbox');
      types[name] = String(response.headers['content-type']).split(';')[0] ?? '';
    }
    // MLflow's _guess_mime_type: its text extensions (js, json) and MLmodel are text/plain.
    expect(types).toEqual({
      'report.html': 'text/html',
      'image.svg': 'image/svg+xml',
      'app.js': 'text/plain',
      'data.json': 'text/plain',
      MLmodel: 'text/plain',
      'weights.bin': 'application/octet-stream',
    });
  });

  it('answers 404 for a missing file and 400 for a directory, naming the path the client gave', async () => {
    server();
    const { runId, root } = await newRun();
    await artifacts.put(`${root}/dir/a.txt`, 'a');
    const missing = await get(app, `/get-artifact?run_id=${runId}&path=dir/none.txt`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No artifact file at 'dir/none.txt'",
    });
    const directory = await get(app, `/get-artifact?run_id=${runId}&path=dir`);
    expect(directory.status).toBe(400);
    expect(directory.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Artifact path refers to a directory, not a file: 'dir'",
    });
  });

  it('refuses a missing path or run id with 400 naming the parameter, and an unknown run with 404', async () => {
    server();
    const { runId } = await newRun();
    const noPath = await get(app, `/get-artifact?run_id=${runId}`);
    expect(noPath.status).toBe(400);
    expect(noPath.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(noPath.body.message).toContain("'path'");
    const noRun = await get(app, '/get-artifact?path=a.txt');
    expect(noRun.status).toBe(400);
    expect(noRun.body.message).toContain("'run_id'");
    const unknown = await get(app, '/get-artifact?run_id=0123456789abcdef0123456789abcdef&path=a.txt');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it.each(traversals)('refuses the path %s with exactly MLflow\'s 400 "Invalid path"', async (path) => {
    server();
    const { runId, root } = await newRun();
    await artifacts.put(`${root}/a.txt`, 'a');
    const response = await get(app, `/get-artifact?run_id=${runId}&path=${encodeURIComponent(path)}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });

  it('refuses a traversal before looking the run up, and artifacts/list answers the same (test_path_validation)', async () => {
    server();
    const unknownRun = await get(app, '/get-artifact?run_id=nope&path=../path');
    expect(unknownRun.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    const { runId } = await newRun();
    const listed = await get(app, `${api}/artifacts/list?run_id=${runId}&path=../path`);
    expect(listed.status).toBe(400);
    expect(listed.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });
});

describe('GET /model-versions/get-artifact', () => {
  it("serves a version's file from its run's proxied artifacts, by mlflow-artifacts: and runs:/ sources", async () => {
    server({ registryStore: createMemoryRegistryStore() });
    const { runId, artifactUri, root } = await newRun();
    await artifacts.put(`${root}/model/MLmodel`, 'flavors: {}');
    await post(app, `${api}/registered-models/create`, { name: 'clf' });
    const byUri = await post(app, `${api}/model-versions/create`, {
      name: 'clf',
      source: `${artifactUri}/model`,
      run_id: runId,
    });
    expect(byUri.status).toBe(200);
    const byRuns = await post(app, `${api}/model-versions/create`, {
      name: 'clf',
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    expect(byRuns.status).toBe(200);
    for (const version of ['1', '2']) {
      const response = await app.inject(
        `/model-versions/get-artifact?name=clf&version=${version}&path=MLmodel`,
      );
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('flavors: {}');
      expect(response.headers['content-type']).toMatch(/^text\/plain/u);
      expect(response.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    }
    const missing = await get(app, '/model-versions/get-artifact?name=clf&version=9&path=MLmodel');
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it.each(traversals)('refuses %s with "Invalid path" before looking the version up', async (path) => {
    server({ registryStore: createMemoryRegistryStore() });
    // A doubled slash reaches the route, as with MLflow's router (MLflow's test_path_validation sends one).
    const response = await get(
      app,
      `//model-versions/get-artifact?name=model&version=1&path=${encodeURIComponent(path)}`,
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });

  it('answers 501 without a registry, and 400 naming a missing parameter', async () => {
    server();
    const none = await get(app, '/model-versions/get-artifact?name=clf&version=1&path=MLmodel');
    expect(none.status).toBe(501);
    expect(none.body.error_code).toBe('NOT_IMPLEMENTED');
    const noVersion = await get(app, '/model-versions/get-artifact?name=clf&path=MLmodel');
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.message).toContain("'version'");
  });
});

describe('GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files', () => {
  async function newModel() {
    const { experimentId, runId } = await newRun();
    const created = await post(app, `${api}/logged-models`, {
      experiment_id: experimentId,
      source_run_id: runId,
    });
    const info = (created.body.model as { info: { model_id: string; artifact_uri: string } }).info;
    return { modelId: info.model_id, root: info.artifact_uri.replace(/^mlflow-artifacts:\/+/u, '') };
  }
  const files = (modelId: string) => `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files`;

  it("streams one of the model's files by artifact_file_path", async () => {
    server();
    const { modelId, root } = await newModel();
    await artifacts.put(`${root}/MLmodel`, `model_id: ${modelId}\n`);
    const response = await app.inject(`${files(modelId)}?artifact_file_path=MLmodel`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(`model_id: ${modelId}\n`);
    expect(response.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // Only the UI's prefix serves it, as in MLflow.
    expect(
      (await app.inject(`${api}/logged-models/${modelId}/artifacts/files?artifact_file_path=MLmodel`))
        .statusCode,
    ).toBe(404);
  });

  it("answers MLflow's 400 BAD_REQUEST without artifact_file_path, Invalid path for traversal, 404 for an unknown model", async () => {
    server();
    const { modelId } = await newModel();
    for (const query of ['', '?artifact_file_path=']) {
      const response = await get(app, `${files(modelId)}${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error_code: 'BAD_REQUEST',
        message: 'Request must include the "artifact_file_path" query parameter.',
      });
    }
    for (const path of traversals) {
      const response = await get(app, `${files(modelId)}?artifact_file_path=${encodeURIComponent(path)}`);
      expect(response.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    }
    const unknown = await get(
      app,
      `${files('m-0123456789abcdef0123456789abcdef')}?artifact_file_path=MLmodel`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
