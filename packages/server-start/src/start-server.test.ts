import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerOptions } from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

let server: RunningServer | undefined;
let dir = '';
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('server options', () => {
  it("defaults to MLflow's: 127.0.0.1:5000, serving artifacts from ./mlartifacts, four workers", () => {
    expect(resolveServerOptions({}, {})).toMatchObject({
      host: '127.0.0.1',
      port: 5000,
      workers: 4,
      serveArtifacts: true,
      artifactsDestination: './mlartifacts',
    });
  });

  it('reads the MLFLOW_* variables, and flags win over them', () => {
    const env = {
      MLFLOW_BACKEND_STORE_URI: 'sqlite:///env.db',
      MLFLOW_PORT: '6000',
      MLFLOW_HOST: '0.0.0.0',
      MLFLOW_SERVE_ARTIFACTS: 'false',
      MLFLOW_WORKERS: '3',
      MLFLOW_SERVER_ALLOWED_HOSTS: 'a.example, b.example',
    };
    expect(resolveServerOptions({ port: '7000' }, env)).toMatchObject({
      backendStoreUri: 'sqlite:///env.db',
      port: 7000,
      host: '0.0.0.0',
      serveArtifacts: false,
      workers: 3,
      allowedHosts: ['a.example', 'b.example'],
    });
    expect(() => resolveServerOptions({ port: 'http' }, {})).toThrow(/port/u);
  });

  it('runs one worker for a memory: store and refuses more, which would each hold a different store', () => {
    expect(resolveServerOptions({ backendStoreUri: 'memory:' }, {}).workers).toBe(1);
    expect(() => resolveServerOptions({ backendStoreUri: 'memory:', workers: '2' }, {})).toThrow(
      /'workers': 2 workers cannot share a memory: store/u,
    );
    expect(resolveServerOptions({ backendStoreUri: 'memory:', workers: '1' }, {}).workers).toBe(1);
  });

  it("reads MLflow's MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD (off by default)", () => {
    expect(resolveServerOptions({}, {}).proxyMultipartUpload).toBe(false);
    expect(
      resolveServerOptions({}, { MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: 'true' }).proxyMultipartUpload,
    ).toBe(true);
  });
});

describe('startServer', () => {
  it('starts with no flags on SQLite + ./mlartifacts in under a second and hands out mlflow-artifacts: locations', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-server-app-'));
    server = await startServer(resolveServerOptions({ port: 0, logRequests: false }, {}), { cwd: dir });
    console.log(`cairn-server ready in ${server.readyMs.toFixed(0)} ms (fresh SQLite database)`);
    expect(server.readyMs).toBeLessThan(1000);
    expect(server.backendStoreUri).toBe('sqlite:///mlflow.db');
    const info = await fetch(`${server.url}/api/3.0/mlflow/server-info`);
    expect(((await info.json()) as { store_type: string }).store_type).toBe('SqlStore');
    const created = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'first' }),
    });
    const { experiment_id: id } = (await created.json()) as { experiment_id: string };
    const run = (await (
      await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ experiment_id: id }),
      })
    ).json()) as { run: { info: { run_id: string; artifact_uri: string } } };
    expect(run.run.info.artifact_uri).toBe(`mlflow-artifacts:/${id}/${run.run.info.run_id}/artifacts`);
    const put = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${id}/${run.run.info.run_id}/artifacts/a.txt`,
      { method: 'PUT', body: 'hi' },
    );
    expect(put.status).toBe(200);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['mlartifacts', 'mlflow.db']));
    // The model registry lives in the same database.
    const model = await fetch(`${server.url}/api/2.0/mlflow/registered-models/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'first-model' }),
    });
    expect(model.status).toBe(200);
  });

  it('serves a file store with --no-serve-artifacts: file: artifact roots and 503 on the proxy', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-server-app-'));
    server = await startServer(
      resolveServerOptions(
        { port: 0, logRequests: false, backendStoreUri: './mlruns', serveArtifacts: false },
        {},
      ),
      { cwd: dir },
    );
    const experiment = (await (
      await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)
    ).json()) as {
      experiment: { artifact_location: string };
    };
    expect(experiment.experiment.artifact_location).toMatch(/^file:\/\/.*\/mlruns\/0$/u);
    expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=x`)).status).toBe(503);
    // The file store has no model registry yet: its RPCs say so rather than 404.
    const registry = await fetch(`${server.url}/api/2.0/mlflow/registered-models/get?name=m`);
    expect(registry.status).toBe(501);
    expect(((await registry.json()) as { error_code: string }).error_code).toBe('NOT_IMPLEMENTED');
    // server-info names the backend as MLflow's server does; a local artifact store offers no multipart.
    const info = (await (await fetch(`${server.url}/api/3.0/mlflow/server-info`)).json()) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({
      store_type: 'FileStore',
      artifact_serving_enabled: false,
      multipart_uploads_enabled: false,
    });
  });
});
