import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CairnError, openArtifactStore, openStores } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestStorePlugin, restStorePlugin } from './rest-store-plugin.js';

/** A stand-in tracking server that records each request's method and path and accepts every artifact PUT. */
async function recordingServer() {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let first: Awaited<ReturnType<typeof recordingServer>>;
let second: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  first = await recordingServer();
  second = await recordingServer();
});
afterAll(async () => {
  await first.close();
  await second.close();
});

const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };

describe('restStorePlugin', () => {
  it('handles http(s):// and mlflow-artifacts: URIs, nothing else', () => {
    expect(restStorePlugin.handles('http://127.0.0.1:5000')).toBe(true);
    expect(restStorePlugin.handles('HTTPS://mlflow.example.com/prefix')).toBe(true);
    expect(restStorePlugin.handles('mlflow-artifacts:/1/abc/artifacts')).toBe(true);
    expect(restStorePlugin.handles('mlflow-artifacts://host:5000/1/abc/artifacts')).toBe(true);
    for (const uri of ['sqlite:///mlflow.db', 'file:./mlruns', './mlruns', 's3://bucket/x', 'memory:x']) {
      expect(restStorePlugin.handles(uri), uri).toBe(false);
    }
  });

  it('opens tracking and registry stores on the URI through openStores', async () => {
    const stores = await openStores(first.url, [restStorePlugin], { env });
    expect(stores.pluginName).toBe('rest');
    expect(stores.registry).toBeDefined();
    expect(stores.traces).toBeUndefined();
    await stores.close();
  });

  // Regression: a module-level "current tracking server", set by whichever REST store opened last, sent
  // host-less mlflow-artifacts: URIs of one client to the other client's server.
  it('resolves host-less mlflow-artifacts: URIs of two servers in one process each against its own server', async () => {
    const plugin = createRestStorePlugin();
    const a = await openStores(first.url, [plugin], { env });
    const b = await openStores(second.url, [plugin], { env });
    const storeA = await openArtifactStore('mlflow-artifacts:/1/run-a/artifacts', [plugin], {
      env,
      trackingUri: first.url,
    });
    const storeB = await openArtifactStore('mlflow-artifacts:/1/run-b/artifacts', [plugin], {
      env,
      trackingUri: second.url,
    });
    await storeA.put('a.txt', 'from a');
    await storeB.put('b.txt', 'from b');
    await storeA.put('again.txt', 'a after b was opened');
    const puts = (seen: string[]) => seen.filter((line) => line.startsWith('PUT '));
    expect(puts(first.seen)).toEqual([
      'PUT /api/2.0/mlflow-artifacts/artifacts/1/run-a/artifacts/a.txt',
      'PUT /api/2.0/mlflow-artifacts/artifacts/1/run-a/artifacts/again.txt',
    ]);
    expect(puts(second.seen)).toEqual(['PUT /api/2.0/mlflow-artifacts/artifacts/1/run-b/artifacts/b.txt']);
    await a.close();
    await b.close();
  });

  it('sends an mlflow-artifacts: URI with a host to that host, whatever the tracking URI', async () => {
    const host = new URL(second.url).host;
    const store = await openArtifactStore(`mlflow-artifacts://${host}/9/run/artifacts`, [restStorePlugin], {
      env,
      trackingUri: first.url,
    });
    await store.put('x.bin', new Uint8Array([1, 2, 3]));
    expect(second.seen).toContain('PUT /api/2.0/mlflow-artifacts/artifacts/9/run/artifacts/x.bin');
  });

  it('fails a host-less mlflow-artifacts: URI with no tracking URI to resolve it against', async () => {
    const error = await Promise.resolve()
      .then(() => openArtifactStore('mlflow-artifacts:/1/r/artifacts', [restStorePlugin], {}))
      .catch((caught: unknown) => caught);
    expect(CairnError.isInstance(error) && error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(String((error as Error).message)).toMatch(/no http\(s\):\/\/ tracking URI/u);
  });

  it('reads credentials from context.env only, and explicit options win', async () => {
    const calls: Headers[] = [];
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      calls.push(new Headers(init?.headers));
      return new Response('{"experiment_id":"1"}', { status: 200 });
    }) as typeof globalThis.fetch;
    const fromEnv = await createRestStorePlugin({ fetch }).openTracking?.(first.url, {
      env: { MLFLOW_TRACKING_TOKEN: 'from-env' },
    });
    await fromEnv?.createExperiment({ name: 'e' });
    const explicit = await createRestStorePlugin({ fetch, username: 'ann', password: 'pw' }).openTracking?.(
      first.url,
      { env: { MLFLOW_TRACKING_USERNAME: 'bob', MLFLOW_TRACKING_PASSWORD: 'x' } },
    );
    await explicit?.createExperiment({ name: 'e' });
    const none = await createRestStorePlugin({ fetch }).openTracking?.(first.url, {});
    await none?.createExperiment({ name: 'e' });
    expect(calls.map((headers) => headers.get('authorization'))).toEqual([
      'Bearer from-env',
      `Basic ${btoa('ann:pw')}`,
      null,
    ]);
  });
});
