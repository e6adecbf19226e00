import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCairnClient } from '@cairn/client';
import { saveModel } from '@cairn/models';
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

async function start(serveModels: boolean) {
  dir = await mkdtemp(join(tmpdir(), 'cairn-serve-models-'));
  server = await startServer(
    resolveServerOptions(
      {
        backendStoreUri: `sqlite:///${join(dir, 'mlflow.db')}`,
        artifactsDestination: join(dir, 'mlartifacts'),
        port: 0,
        workers: 1,
        logRequests: false,
        serveModels,
        serveModelsPollInterval: 0.05,
      },
      {},
    ),
    { cwd: dir, env: {} },
  );
  return server;
}

/** Logs a js_function model (y = x * weight) to a run through the server and registers it as a new version. */
async function logAndRegister(url: string, weight: number): Promise<string> {
  const source = join(dir, `linear-${weight}.mjs`);
  await writeFile(
    source,
    `export default (input) => ({ kind: 'dataframe', columns: ['y'], rows: input.rows.map((row) => [row[input.columns.indexOf('x')] * ${weight}]) });\n`,
  );
  const local = join(dir, `linear-${weight}`);
  await saveModel(local, { model: { module: source } });
  const client = createCairnClient({ trackingUri: url, env: {} });
  try {
    const run = await (await client.trackingStore()).createRun({ experimentId: '0' });
    await client.logArtifacts(run.info.run_id, local, 'model');
    const registry = await client.registryStore();
    if (registry === undefined) throw new Error('no registry');
    await registry.createRegisteredModel({ name: 'linear' }).catch(() => {});
    const version = await registry.createModelVersion({
      name: 'linear',
      source: `runs:/${run.info.run_id}/model`,
      runId: run.info.run_id,
    });
    return version.version;
  } finally {
    await client.close();
  }
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('cairn server --serve-models', () => {
  it('serves registered versions and aliases at /serve/..., following the alias', async () => {
    const { url } = await start(true);
    await logAndRegister(url, 2);
    await logAndRegister(url, 50);
    const client = createCairnClient({ trackingUri: url, env: {} });
    const registry = await client.registryStore();
    await registry?.setRegisteredModelAlias('linear', 'champion', '1');

    const byVersion = await post(`${url}/serve/linear/2/invocations`, { dataframe_records: [{ x: 1 }] });
    expect(byVersion.status).toBe(200);
    expect(byVersion.headers.get('x-cairn-model-version')).toBe('2');
    expect(await byVersion.json()).toEqual({ predictions: [{ y: 50 }] });

    const byAlias = await post(`${url}/serve/linear@champion/invocations`, { dataframe_records: [{ x: 1 }] });
    expect(byAlias.headers.get('x-cairn-model-version')).toBe('1');
    expect(await byAlias.json()).toEqual({ predictions: [{ y: 2 }] });

    await registry?.setRegisteredModelAlias('linear', 'champion', '2');
    let version = '1';
    while (version === '1') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await post(`${url}/serve/linear@champion/invocations`, {
        dataframe_records: [{ x: 1 }],
      });
      version = response.headers.get('x-cairn-model-version') ?? '?';
      expect(response.status).toBe(200);
    }
    expect(version).toBe('2');
    const health = await fetch(`${url}/serve/linear@champion/health`);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      serving: { uri: 'models:/linear/2', version: '2' },
    });
    await client.close();
  });

  it('answers the registry’s errors for an unknown model, version or alias, 404 for a malformed path, and 400 for a bad body', async () => {
    const { url } = await start(true);
    await logAndRegister(url, 2);
    const unknownModel = await post(`${url}/serve/nope/1/invocations`, { inputs: [1] });
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as { error_code: string }).error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await post(`${url}/serve/linear/9/invocations`, { inputs: [1] })).status).toBe(404);
    // An unknown alias is INVALID_PARAMETER_VALUE in MLflow's registry ("Registered model alias nobody not found.").
    const unknownAlias = await post(`${url}/serve/linear@nobody/invocations`, { inputs: [1] });
    expect(unknownAlias.status).toBe(400);
    expect(((await unknownAlias.json()) as { message: string }).message).toContain('alias nobody not found');
    expect((await post(`${url}/serve/linear/invocations`, { inputs: [1] })).status).toBe(404);
    const bad = await post(`${url}/serve/linear/1/invocations`, { data: [1] });
    expect(bad.status).toBe(400);
    // The tracking API is untouched by the mount.
    expect((await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(200);
  });

  it('mounts nothing without the flag', async () => {
    const { url } = await start(false);
    expect((await post(`${url}/serve/linear/1/invocations`, { inputs: [1] })).status).toBe(404);
  });
});
