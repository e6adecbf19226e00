import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '@cairn/core';
import { createFileArtifactStore, createFileTrackingStore } from '@cairn/store-file';
import { createMemoryArtifactStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { createRestArtifactResolver, createRestTrackingStore } from '@cairn/store-rest';
import { createSqlTrackingStore } from '@cairn/store-sql';
import { describeArtifactStore, describeTrackingStore } from '@cairn/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createServer } from './create-server.js';

// The REST store is proven the way every store is: the conformance suites, here through
// "REST store -> createServer on a real socket -> memory store", "-> file store" and "-> SQLite".
const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };

/** Starts one server per suite whose backing store is swapped for a fresh one before every test. */
function serverOver(open: () => Promise<{ store: TrackingStore; cleanup: () => Promise<void> }>) {
  let app: FastifyInstance;
  let current: TrackingStore | undefined;
  let baseUrl = '';
  const delegate = new Proxy({} as TrackingStore, {
    get: (_target, key) => {
      if (current === undefined) throw new Error('no backing store');
      const value = (current as unknown as Record<string | symbol, unknown>)[key];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  beforeAll(async () => {
    app = createServer({
      trackingStore: delegate,
      artifactStore: createMemoryArtifactStore({ rootUri: 'memory://rest-suite' }),
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });
  return async (): Promise<TrackingStore> => {
    const { store, cleanup } = await open();
    current = store;
    const rest = createRestTrackingStore({ baseUrl, env });
    return {
      ...rest,
      close: async () => {
        await rest.close();
        await store.close();
        await cleanup();
      },
    };
  };
}

describeTrackingStore(
  'REST -> server -> memory',
  serverOver(async () => ({ store: createMemoryTrackingStore(), cleanup: async () => {} })),
);

describeTrackingStore(
  'REST -> server -> file',
  serverOver(async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-rest-file-'));
    return {
      store: createFileTrackingStore({ root: join(root, 'mlruns') }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  }),
);

describeTrackingStore(
  'REST -> server -> sqlite',
  serverOver(async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-rest-sqlite-'));
    return {
      store: createSqlTrackingStore({
        uri: `sqlite:///${join(root, 'mlflow.db')}`,
        artifactRoot: 'mlflow-artifacts:',
      }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  }),
);

// The artifact side: the REST artifact store over the proxy, backed by a file artifact store.
let artifactApp: FastifyInstance;
let artifactBase = '';
let artifactRoot = '';
beforeAll(async () => {
  artifactRoot = await mkdtemp(join(tmpdir(), 'cairn-rest-artifacts-'));
  artifactApp = createServer({
    trackingStore: createMemoryTrackingStore(),
    artifactStore: createFileArtifactStore({ root: artifactRoot }),
    // The suite's failing-stream upload leaves a request the client abandoned mid-body; don't wait for it.
    shutdownGraceMs: 500,
  });
  artifactBase = await artifactApp.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await artifactApp.close();
  await rm(artifactRoot, { recursive: true, force: true });
});
let suiteRoot = 0;
describeArtifactStore('REST proxy -> server -> file', () => {
  const resolver = createRestArtifactResolver({ trackingUri: artifactBase, env });
  suiteRoot += 1;
  const store = resolver(`mlflow-artifacts:/conformance/${suiteRoot}`);
  if (store === undefined) throw new Error('resolver refused an mlflow-artifacts URI');
  return store;
});
