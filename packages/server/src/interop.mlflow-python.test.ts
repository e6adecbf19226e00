import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createFileArtifactStore } from '@cairn/store-file';
import { createSqlRegistryStore, createSqlTrackingStore } from '@cairn/store-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

// The official MLflow client (mlflow==3.18.0, installed by .ci/install-mlflow.sh) drives a Cairn server,
// and the same script drives the real `mlflow server`, so the script's expectations are MLflow's own.
const python = process.env.CAIRN_MLFLOW_PYTHON;
const interopDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');
const script = join(interopDir, 'mlflow_client_script.py');
// MLflow 3 logged models: pyfunc.log_model, load_model by models:/ and runs:/, search, get, tags.
const loggedModelScript = join(interopDir, 'mlflow_logged_model_script.py');
// The model registry: MlflowClient's registry calls, register_model and load_model by models:/<name>.
const registryScript = join(interopDir, 'mlflow_registry_script.py');
// The UI's endpoints (get-artifact, upload-artifact, the prompt lab...) and server-info, read back by the client.
const uiScript = join(interopDir, 'mlflow_ui_endpoints_script.py');
const clientEnv = {
  ...process.env,
  MLFLOW_DISABLE_TELEMETRY: 'true',
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
  MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
};

if (python === undefined) {
  console.log(
    'SKIPPED: interop.mlflow-python (set CAIRN_MLFLOW_PYTHON to the python of a venv with mlflow==3.18.0)',
  );
}

async function runScript(trackingUri: string, scratch: string, path = script): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const { stdout } = await promisify(execFile)(python as string, [path, scratch], {
    env: { ...clientEnv, MLFLOW_TRACKING_URI: trackingUri },
    cwd: scratch,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(
      `${error.message}\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`,
    );
  });
  return stdout;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

// Skipped only when no MLflow Python is available; the reason is printed above as a SKIPPED line.
const describeInterop = python === undefined ? describe.skip : describe;

describeInterop('interop.mlflow-python: the official MLflow client', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-interop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the whole script against a Cairn server over SQLite and proxied artifacts', async () => {
    const trackingStore = createSqlTrackingStore({
      uri: `sqlite:///${join(dir, 'cairn.db')}`,
      artifactRoot: 'mlflow-artifacts:',
    });
    const registryStore = createSqlRegistryStore({ uri: `sqlite:///${join(dir, 'cairn.db')}` });
    const app = createServer({
      trackingStore,
      registryStore,
      artifactStore: createFileArtifactStore({ root: join(dir, 'cairn-artifacts') }),
      backendStoreType: 'SqlStore',
    });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: await freePort() });
      const started = performance.now();
      const stdout = await runScript(url, join(dir, 'cairn-scratch'));
      console.log(`interop against Cairn: ${(performance.now() - started).toFixed(0)} ms`);
      expect(stdout).toContain('INTEROP OK');
      const modelsStarted = performance.now();
      const models = await runScript(url, join(dir, 'cairn-models-scratch'), loggedModelScript);
      console.log(`logged models against Cairn: ${(performance.now() - modelsStarted).toFixed(0)} ms`);
      expect(models).toContain('LOGGED MODELS OK');
      const registryStarted = performance.now();
      const registry = await runScript(url, join(dir, 'cairn-registry-scratch'), registryScript);
      console.log(`registry against Cairn: ${(performance.now() - registryStarted).toFixed(0)} ms`);
      expect(registry).toContain('REGISTRY OK');
      const ui = await runScript(url, join(dir, 'cairn-ui-scratch'), uiScript);
      expect(ui).toContain('UI ENDPOINTS OK');
    } finally {
      await app.close();
      await registryStore.close();
      await trackingStore.close();
    }
  }, 120_000);

  it('runs the same script against the real mlflow server (proving the script)', async () => {
    const port = await freePort();
    const mlflowBin = join(dirname(python as string), 'mlflow');
    const server = spawn(
      mlflowBin,
      [
        'server',
        '--backend-store-uri',
        `sqlite:///${join(dir, 'mlflow.db')}`,
        '--artifacts-destination',
        join(dir, 'mlflow-artifacts'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        '1',
      ],
      { env: clientEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let log = '';
    server.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.ok,
          () => false,
        );
        if (healthy) break;
        if (Date.now() > deadline || server.exitCode !== null) {
          throw new Error(`mlflow server did not start:\n${log.slice(-4000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const stdout = await runScript(`http://127.0.0.1:${port}`, join(dir, 'mlflow-scratch'));
      expect(stdout).toContain('INTEROP OK');
      const modelsStarted = performance.now();
      const models = await runScript(
        `http://127.0.0.1:${port}`,
        join(dir, 'mlflow-models-scratch'),
        loggedModelScript,
      );
      console.log(
        `logged models against mlflow server: ${(performance.now() - modelsStarted).toFixed(0)} ms`,
      );
      expect(models).toContain('LOGGED MODELS OK');
      const registryStarted = performance.now();
      const registry = await runScript(
        `http://127.0.0.1:${port}`,
        join(dir, 'mlflow-registry-scratch'),
        registryScript,
      );
      console.log(`registry against mlflow server: ${(performance.now() - registryStarted).toFixed(0)} ms`);
      expect(registry).toContain('REGISTRY OK');
      const ui = await runScript(`http://127.0.0.1:${port}`, join(dir, 'mlflow-ui-scratch'), uiScript);
      expect(ui).toContain('UI ENDPOINTS OK');
    } finally {
      // The server runs uvicorn workers in its own process group: end the whole group.
      if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
      await new Promise((resolve) =>
        server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve),
      );
    }
  }, 180_000);
});
