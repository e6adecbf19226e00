import type { LoadedModel } from '@cairn/models';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { modelUriHeader, modelVersionHeader } from './invocation.js';
import { createRegistryVersionResolver } from './registry-version-resolver.js';
import { type RunningScoringServer, serveModel } from './scoring-server.js';
import { createServedModel, isMovingModelsUri } from './served-model.js';
import { createTestModel, type TestModel } from './test-helpers.js';

/** A registry with model `churn`, versions 1..count, alias `champion` on version 1. */
async function registryWithVersions(count: number) {
  const registry = createMemoryRegistryStore();
  const tracking = createMemoryTrackingStore();
  await registry.createRegisteredModel({ name: 'churn' });
  for (let index = 1; index <= count; index += 1) {
    await registry.createModelVersion({ name: 'churn', source: `file:///models/churn/${index}` });
  }
  await registry.setRegisteredModelAlias('churn', 'champion', '1');
  return { registry, resolver: createRegistryVersionResolver({ registry, tracking }) };
}

/** Loads `models:/churn/<v>` as a test model answering 2x + 1000 v, after a pause (a real load takes a while). */
function versionedLoader(loaded: TestModel[], failing = new Set<string>()) {
  return async (uri: string): Promise<LoadedModel> => {
    const version = /^models:\/churn\/(\d+)$/u.exec(uri)?.[1];
    if (version === undefined) throw new Error(`unexpected uri ${uri}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
    if (failing.has(version)) throw new Error(`cannot read the model files of version ${version}`);
    const model = createTestModel({ uri, offset: 1000 * Number(version) });
    loaded.push(model);
    return model;
  };
}

let server: RunningScoringServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('served model: following an alias', () => {
  it('tells moving URIs (alias, latest, stage) from fixed ones', () => {
    expect(isMovingModelsUri('models:/churn@champion')).toBe(true);
    expect(isMovingModelsUri('models:/churn/latest')).toBe(true);
    expect(isMovingModelsUri('models:/churn/Production')).toBe(true);
    expect(isMovingModelsUri('models:/churn/3')).toBe(false);
    expect(isMovingModelsUri('runs:/abc/model')).toBe(false);
    expect(isMovingModelsUri('/tmp/model')).toBe(false);
  });

  it('resolves the alias to a concrete version URI and swaps when the alias moves, closing the old model', async () => {
    const { registry, resolver } = await registryWithVersions(2);
    const loaded: TestModel[] = [];
    const served = createServedModel({
      uri: 'models:/churn@champion',
      loader: versionedLoader(loaded),
      resolver,
      pollIntervalMs: 0,
    });
    await served.start();
    expect(served.status().current).toEqual({ uri: 'models:/churn/1', version: '1' });
    const held = served.acquire();
    await registry.setRegisteredModelAlias('churn', 'champion', '2');
    await served.refresh();
    expect(served.status()).toMatchObject({ current: { version: '2' }, swaps: 1, lastError: undefined });
    // The request that took version 1 before the swap still holds it open.
    expect(loaded[0]?.closed).toBe(false);
    expect(await held.model.predict([1])).toEqual({ kind: 'dataframe', columns: ['y'], rows: [[1002]] });
    held.release();
    while (loaded[0]?.closed !== true) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(loaded[0]?.closed).toBe(true);
    await served.close();
    expect(loaded[1]?.closed).toBe(true);
  });

  it('keeps the old version serving when the new one fails to load, shows it at /health, and swaps on the next move', async () => {
    const { registry, resolver } = await registryWithVersions(3);
    const loaded: TestModel[] = [];
    server = await serveModel({
      uri: 'models:/churn@champion',
      loader: versionedLoader(loaded, new Set(['2'])),
      resolver,
      pollIntervalMs: 0,
      port: 0,
    });
    await registry.setRegisteredModelAlias('churn', 'champion', '2');
    await server.served.refresh();
    const scored = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [1] }),
    });
    expect(scored.status).toBe(200);
    expect(scored.headers.get(modelVersionHeader)).toBe('1');
    expect(await scored.json()).toEqual({ predictions: [{ y: 1002 }] });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      serving: { uri: 'models:/churn/1', version: '1' },
      last_error: { uri: 'models:/churn/2', message: 'cannot read the model files of version 2' },
    });
    await registry.setRegisteredModelAlias('churn', 'champion', '3');
    await server.served.refresh();
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({
      status: 'ok',
      serving: { version: '3' },
      swaps: 1,
      last_error: null,
    });
  });

  it('fails to start when the first version cannot be loaded', async () => {
    const { resolver } = await registryWithVersions(1);
    const served = createServedModel({
      uri: 'models:/churn@champion',
      loader: versionedLoader([], new Set(['1'])),
      resolver,
    });
    await expect(served.start()).rejects.toThrow('cannot read the model files of version 1');
  });

  it('under load, drops and fails no request while the alias moves several times, each answer from the version its header names', async () => {
    const { registry, resolver } = await registryWithVersions(5);
    const loaded: TestModel[] = [];
    server = await serveModel({
      uri: 'models:/churn@champion',
      loader: versionedLoader(loaded),
      resolver,
      pollIntervalMs: 5,
      port: 0,
    });
    const url = server.url;
    let stop = false;
    const failures: string[] = [];
    const versionsSeen = new Set<string>();
    let requests = 0;
    const client = async (clientIndex: number) => {
      for (let round = 0; !stop; round += 1) {
        const x = clientIndex * 100 + (round % 100);
        try {
          const response = await fetch(`${url}/invocations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[x], [x + 1]] } }),
          });
          requests += 1;
          const version = response.headers.get(modelVersionHeader) ?? '?';
          const body = (await response.json()) as { predictions?: { y: number }[] };
          const expected = [2 * x + 1000 * Number(version), 2 * (x + 1) + 1000 * Number(version)];
          if (response.status !== 200) failures.push(`status ${response.status}`);
          else if (JSON.stringify(body.predictions?.map((row) => row.y)) !== JSON.stringify(expected)) {
            failures.push(`version ${version} answered ${JSON.stringify(body)} for x=${x}`);
          } else if (response.headers.get(modelUriHeader) !== `models:/churn/${version}`) {
            failures.push(`uri header ${response.headers.get(modelUriHeader)} for version ${version}`);
          }
          versionsSeen.add(version);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: 6 }, (_, index) => client(index));
    const waitForVersion = async (version: string) => {
      while (server?.served.status().current?.version !== version) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Let some requests reach the new version before the next move.
      const before = requests;
      while (requests < before + 20) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitForVersion('1');
    for (const version of ['2', '3', '4', '5', '2']) {
      await registry.setRegisteredModelAlias('churn', 'champion', version);
      await waitForVersion(version);
    }
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    expect([...versionsSeen].sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(server.served.status().swaps).toBe(5);
    // Every model swapped out was closed once its requests finished, and none was asked to predict after.
    while (!loaded.slice(0, -1).every((model) => model.closed)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(loaded.slice(0, -1).every((model) => model.closed && model.running === 0)).toBe(true);
    expect(loaded.at(-1)?.closed).toBe(false);
  }, 120_000);
});
