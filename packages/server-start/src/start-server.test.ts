import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerOptions } from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

/** The parts of MLflow's registry answers these tests read. */
interface RegistryAnswer {
  model_version: Record<string, unknown>;
  registered_models: { name: string }[];
  error_code?: string;
}

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

  it('serves a file store with --no-serve-artifacts: file: artifact roots, 503 on the proxy, the registry in mlruns/models', async () => {
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
    // The model registry lives in the tree's models/ folder, as with `mlflow server --backend-store-uri ./mlruns`.
    const rpc = async (path: string, body?: unknown) => {
      const response = await fetch(`${server?.url}/api/2.0/mlflow/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as RegistryAnswer };
    };
    expect(
      (await rpc('registered-models/create', { name: 'm', tags: [{ key: 't', value: '1' }] })).status,
    ).toBe(200);
    const created = await rpc('model-versions/create', {
      name: 'm',
      source: 's3://bucket/m/1',
      run_id: 'a'.repeat(32),
    });
    expect(created.body.model_version).toMatchObject({ name: 'm', version: '1', current_stage: 'None' });
    expect(
      (await rpc('registered-models/alias', { name: 'm', alias: 'champion', version: '1' })).status,
    ).toBe(200);
    const staged = await rpc('model-versions/transition-stage', {
      name: 'm',
      version: '1',
      stage: 'Production',
      archive_existing_versions: true,
    });
    expect(staged.body.model_version?.current_stage).toBe('Production');
    expect((await rpc('registered-models/alias?name=m&alias=champion')).body.model_version).toMatchObject({
      version: '1',
      aliases: ['champion'],
    });
    const search = await rpc(`registered-models/search?filter=${encodeURIComponent("name LIKE 'm%'")}`);
    expect(search.body.registered_models.map((model) => model.name)).toEqual(['m']);
    expect((await readdir(join(dir, 'mlruns', 'models', 'm'))).sort()).toEqual([
      'aliases',
      'meta.yaml',
      'tags',
      'version-1',
    ]);
    const missing = await rpc('registered-models/get?name=nope');
    expect([missing.status, missing.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    const badName = await rpc('registered-models/create', { name: 'a%b' });
    expect([badName.status, badName.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
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
