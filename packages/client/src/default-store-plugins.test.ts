import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorePlugin } from '@cairn/core';
import { createMemoryStorePlugin } from '@cairn/store-memory';
import { describeStorePlugin } from '@cairn/testkit';
import { describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';
import { defaultStorePlugins, lazyFileStorePlugin, lazySqlStorePlugin } from './default-store-plugins.js';
import { createLazyStorePlugin } from './lazy-store-plugin.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'cairn-client-plugins-'));

// The client's lazy plugins behave as the plugins they load.
describeStorePlugin(lazySqlStorePlugin, {
  trackingUri: () => `sqlite:///${join(fresh(), 'mlflow.db')}`,
  context: () => ({ cwd: fresh() }),
  foreignUris: ['./mlruns', 'memory:x', 'http://127.0.0.1:5000', 's3://bucket/p'],
});
describeStorePlugin(lazyFileStorePlugin, {
  trackingUri: () => join(fresh(), 'mlruns'),
  artifactUri: () => join(fresh(), 'artifacts'),
});

describe('lazy store plugins', () => {
  it('name the packages to install when one is missing', async () => {
    const missing = createLazyStorePlugin({
      name: 'sql',
      facets: ['openTracking'],
      handles: () => true,
      packagesFor: () => ['@cairn/store-sql', 'better-sqlite3'],
      load: async () => {
        throw new Error("Cannot find package '@cairn/store-sql'");
      },
    });
    await expect(
      createCairnClient({ trackingUri: 'sqlite:///mlflow.db', plugins: [missing] }).getExperiment('0'),
    ).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringContaining(
        'Install @cairn/store-sql and better-sqlite3 to use sqlite:///mlflow.db',
      ),
    });
  });

  it('are the client default: SQL, file, memory, REST and S3', () => {
    expect(defaultStorePlugins.map((plugin) => plugin.name)).toEqual(['sql', 'file', 'memory', 'rest', 's3']);
  });
});

describe('a third-party store plugin passed to createCairnClient', () => {
  it('opens the stores of its own scheme, for tracking, the registry and artifacts', async () => {
    const memory = createMemoryStorePlugin();
    const opened: string[] = [];
    // A plugin for acme: URIs, backed by memory stores: what a third party's package would export.
    const acme: StorePlugin = {
      specificationVersion: 'v1',
      name: 'acme',
      handles: (uri) => uri.startsWith('acme:'),
      openTracking: (uri, context) => {
        opened.push(`tracking ${uri}`);
        return memory.openTracking?.(`memory:${uri.slice(5)}`, {
          ...context,
          artifactRoot: 'acme://files',
        }) as never;
      },
      openRegistry: (uri, context) => memory.openRegistry?.(`memory:${uri.slice(5)}`, context) as never,
      openArtifacts: (uri, context) => {
        opened.push(`artifacts ${uri}`);
        return memory.openArtifacts?.(`memory://${uri.slice('acme://'.length)}`, context) as never;
      },
    };
    const client = createCairnClient({ trackingUri: 'acme:team', plugins: [acme], env: {} });
    const run = await client.createRun('0');
    await client.logText(run.info.run_id, 'hello', 'notes.txt');
    expect(run.info.artifact_uri).toMatch(/^acme:\/\/files\//u);
    expect((await client.listArtifacts(run.info.run_id)).map((file) => file.path)).toEqual(['notes.txt']);
    expect(await client.registryStore()).toBeDefined();
    expect(opened).toEqual([
      'tracking acme:team',
      `artifacts ${run.info.artifact_uri}`,
      `artifacts ${run.info.artifact_uri}`,
    ]);
    await client.close();
  });
});
