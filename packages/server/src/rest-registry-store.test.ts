import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryStore } from '@cairn/core';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { createRestRegistryStore } from '@cairn/store-rest';
import { createSqlRegistryStore } from '@cairn/store-sql';
import { describeRegistryStore } from '@cairn/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createServer } from './create-server.js';

// The REST registry store is proven as every registry store is: the conformance suites, through
// "REST store -> createServer on a real socket -> registry store".
const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };

/** Starts one server per suite whose registry is swapped for a fresh one before every test. */
function serverOver(open: () => Promise<RegistryStore>) {
  let app: FastifyInstance;
  let current: RegistryStore | undefined;
  let baseUrl = '';
  const delegate = new Proxy({} as RegistryStore, {
    get: (_target, key) => {
      if (current === undefined) throw new Error('no backing store');
      const value = (current as unknown as Record<string | symbol, unknown>)[key];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  const tracking = createMemoryTrackingStore();
  beforeAll(async () => {
    app = createServer({ trackingStore: tracking, registryStore: delegate });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await tracking.close();
  });
  return async (): Promise<RegistryStore> => {
    const store = await open();
    current = store;
    const rest = createRestRegistryStore({ baseUrl, env });
    return {
      ...rest,
      // What is kept (model_id) is the server's store's business; REST cannot see it, the suite must.
      capabilities: {
        ...rest.capabilities,
        modelIdFromSource: store.capabilities.modelIdFromSource === true,
      },
      close: async () => {
        await rest.close();
        await store.close();
      },
    };
  };
}

describeRegistryStore(
  'REST -> server -> memory',
  serverOver(async () => createMemoryRegistryStore()),
);

let databases = 0;
const scratch = mkdtempSync(join(tmpdir(), 'cairn-rest-registry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describeRegistryStore(
  'REST -> server -> SQLite',
  serverOver(async () => createSqlRegistryStore({ uri: `sqlite:///${join(scratch, `r${++databases}.db`)}` })),
  {
    skip: {
      'model-id-source':
        "MLflow's SQL schema keeps model_id only through a models:/<model_id> source, which a server resolves against a real logged model; store-sql's suite and registry-routes.test.ts cover it",
    },
  },
);
