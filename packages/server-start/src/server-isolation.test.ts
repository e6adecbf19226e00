import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCairnClient, restStorePlugin } from '@cairn/client';
import type { StorePlugin } from '@cairn/core';
import { createMemoryStorePlugin } from '@cairn/store-memory';
import { describeStorePlugin } from '@cairn/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerOptions } from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

const quiet = { port: 0, logRequests: false } as const;
const dirs: string[] = [];
const servers: RunningServer[] = [];

async function serve(flags: Parameters<typeof resolveServerOptions>[0], plugins?: readonly StorePlugin[]) {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-isolation-'));
  dirs.push(dir);
  const server = await startServer(resolveServerOptions({ ...quiet, ...flags }, {}), {
    cwd: dir,
    env: {},
    ...(plugins === undefined ? {} : { plugins }),
  });
  servers.push(server);
  return { dir, server };
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('two servers in one process', () => {
  it('on two SQLite databases keep their experiments, registries and artifacts apart, and so do their clients', async () => {
    const one = await serve({});
    const two = await serve({});
    const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
    const first = createCairnClient({ trackingUri: one.server.url, env });
    const second = createCairnClient({ trackingUri: two.server.url, env });
    try {
      const experimentId = await first.createExperiment('only-on-one');
      expect(await second.getExperimentByName('only-on-one')).toBeUndefined();
      await (await first.registryStore())?.createRegisteredModel({ name: 'model-on-one' });
      await expect((await second.registryStore())?.getRegisteredModel('model-on-one')).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      });
      // Both hand out host-less mlflow-artifacts: URIs; each client's go to its own server.
      const runOne = await first.createRun(experimentId);
      const runTwo = await second.createRun('0');
      await first.logText(runOne.info.run_id, 'one', 'who.txt');
      await second.logText(runTwo.info.run_id, 'two', 'who.txt');
      const read = async (client: typeof first, runId: string) =>
        (await import('node:fs/promises')).readFile(
          await client.downloadArtifacts({ runId, artifactPath: 'who.txt' }),
          'utf8',
        );
      expect(await read(first, runOne.info.run_id)).toBe('one');
      expect(await read(second, runTwo.info.run_id)).toBe('two');
      expect(
        await first.listArtifacts(runTwo.info.run_id).catch((error: { code?: string }) => error.code),
      ).toBe('RESOURCE_DOES_NOT_EXIST');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('on memory: each have their own store', async () => {
    const one = await serve({ backendStoreUri: 'memory:same-name' });
    const two = await serve({ backendStoreUri: 'memory:same-name' });
    const first = createCairnClient({ trackingUri: one.server.url, env: {} });
    const second = createCairnClient({ trackingUri: two.server.url, env: {} });
    await first.createExperiment('only-on-one');
    expect(await second.getExperimentByName('only-on-one')).toBeUndefined();
    await Promise.all([first.close(), second.close()]);
  });
});

describe('a third-party store plugin passed to the server', () => {
  it('opens the backend store of its own scheme', async () => {
    const memory = createMemoryStorePlugin();
    const opened: string[] = [];
    const acme: StorePlugin = {
      specificationVersion: 'v1',
      name: 'acme',
      handles: (uri) => uri.startsWith('acme:'),
      openTracking: (uri, context) => {
        opened.push(uri);
        return memory.openTracking?.(`memory:${uri.slice(5)}`, context) as never;
      },
      openRegistry: (uri, context) => memory.openRegistry?.(`memory:${uri.slice(5)}`, context) as never,
    };
    const { server } = await serve({ backendStoreUri: 'acme:team', workers: 1 }, [acme]);
    const client = createCairnClient({ trackingUri: server.url, env: {} });
    const experimentId = await client.createExperiment('through-acme');
    expect(opened).toEqual(['acme:team']);
    const direct = await memory.openTracking?.('memory:team', {});
    expect((await direct?.getExperiment(experimentId))?.name).toBe('through-acme');
    await client.close();
  });
});

describe('the client REST plugin against a running server', () => {
  let url = '';
  beforeAll(async () => {
    url = (await serve({ backendStoreUri: 'memory:rest-plugin' })).server.url;
  });
  let counter = 0;
  describeStorePlugin(restStorePlugin, {
    trackingUri: () => url,
    artifactUri: () => `mlflow-artifacts:/rest-plugin/${++counter}`,
    context: () => ({ trackingUri: url, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } }),
    // http(s):// and mlflow-artifacts: are all the REST plugin's.
    foreignUris: ['./mlruns', 'sqlite:///mlflow.db', 'postgresql://u@h/db', 'memory:x', 's3://bucket/p'],
  });
});
