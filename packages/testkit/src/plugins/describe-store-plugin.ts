import {
  type OpenedStores,
  openArtifactStore,
  openStores,
  type StoreOpenContext,
  type StorePlugin,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type DescribeStoreOptions, describeNamedSuites } from '../named-suites.js';
import { collectText } from '../stream-helpers.js';

/** The named suites of {@link describeStorePlugin}, in run order. */
export const storePluginSuiteNames = [
  'resolution',
  'tracking',
  'registry',
  'artifacts',
  'foreign-uris',
] as const;

/** The name of one suite of {@link describeStorePlugin}. */
export type StorePluginSuiteName = (typeof storePluginSuiteNames)[number];

type Fresh<T> = () => T | Promise<T>;

/** What {@link describeStorePlugin} opens, each called before every test so every test starts empty. */
export interface StorePluginSuiteOptions extends DescribeStoreOptions {
  /** A tracking URI the plugin opens (omit for an artifacts-only plugin). */
  trackingUri?: Fresh<string>;
  /** An artifact URI the plugin opens (omit for a plugin without artifacts). */
  artifactUri?: Fresh<string>;
  /** What the stores are opened with (a working directory for relative paths, an environment...). */
  context?: Fresh<StoreOpenContext>;
  /**
   * URIs that are not the plugin's: it must not claim them. Default: well-known URIs of Cairn's own plugins
   * whose scheme is not that of `trackingUri` or `artifactUri`.
   */
  foreignUris?: readonly string[];
}

/** Well-known URIs of other plugins; a new plugin must leave them alone. */
const wellKnownUris = [
  './mlruns',
  'file:///tmp/mlruns',
  'sqlite:///mlflow.db',
  'postgresql://user@db/mlflow',
  'mysql://user@db/mlflow',
  'memory:other',
  'http://127.0.0.1:5000',
  'https://tracking.example.com',
  's3://bucket/prefix',
  'mlflow-artifacts:/0/run/artifacts',
  'gs://bucket/prefix',
];

const schemeOf = (uri: string) => /^([a-zA-Z][a-zA-Z0-9+.-]+):/u.exec(uri)?.[1]?.toLowerCase() ?? 'file';

interface PluginSuiteContext {
  readonly plugin: StorePlugin;
  readonly options: StorePluginSuiteOptions;
  /** Opens the plugin's stores at a fresh tracking URI; they are closed after the test. */
  open(): Promise<OpenedStores>;
  /** A fresh artifact URI and the context to open it with. */
  artifactTarget(): Promise<{ uri: string; context: StoreOpenContext }>;
}

const suites: Record<StorePluginSuiteName, (context: PluginSuiteContext) => void> = {
  resolution: ({ plugin, options, open, artifactTarget }) => {
    it('is the plugin openStores and openArtifactStore pick for its URIs, with the facets it declares', async () => {
      expect(plugin.specificationVersion).toBe('v1');
      expect(plugin.name).not.toBe('');
      if (options.trackingUri !== undefined) {
        expect(plugin.openTracking, 'a plugin given a tracking URI opens tracking stores').toBeTypeOf(
          'function',
        );
        const stores = await open();
        expect(stores.pluginName).toBe(plugin.name);
        expect(stores.registry !== undefined).toBe(plugin.openRegistry !== undefined);
      }
      if (options.artifactUri !== undefined) {
        const { uri, context } = await artifactTarget();
        expect(plugin.handles(uri)).toBe(true);
        expect(await openArtifactStore(uri, [plugin], context)).toBeDefined();
      }
    });
  },
  tracking: ({ options, open }) => {
    it.skipIf(options.trackingUri === undefined)(
      'opens a tracking store that reads back an experiment and a logged run',
      async () => {
        const { tracking } = await open();
        const experimentId = await tracking.createExperiment({ name: `plugin-smoke-${Date.now()}` });
        const run = await tracking.createRun({ experimentId, runName: 'smoke' });
        await tracking.logBatch({
          runId: run.info.run_id,
          metrics: [{ key: 'loss', value: 0.25, timestamp: 1, step: 0 }],
          params: [{ key: 'lr', value: '0.1' }],
          tags: [],
        });
        const stored = await tracking.getRun(run.info.run_id);
        expect(stored.info.experiment_id).toBe(experimentId);
        expect(stored.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
        expect(stored.data.metrics).toEqual([expect.objectContaining({ key: 'loss', value: 0.25 })]);
      },
    );
  },
  registry: ({ plugin, options, open }) => {
    it.skipIf(options.trackingUri === undefined || plugin.openRegistry === undefined)(
      'opens a model registry that reads back a registered model',
      async () => {
        const { registry } = await open();
        if (registry === undefined) throw new Error('openStores opened no registry');
        const name = `plugin-smoke-${Date.now()}`;
        await registry.createRegisteredModel({ name });
        expect((await registry.getRegisteredModel(name)).name).toBe(name);
      },
    );
  },
  artifacts: ({ options, artifactTarget, plugin }) => {
    it.skipIf(options.artifactUri === undefined)(
      'opens an artifact store that reads back a file it stored',
      async () => {
        const { uri, context } = await artifactTarget();
        const store = await openArtifactStore(uri, [plugin], context);
        await store.put('smoke/hello.txt', 'hello');
        expect(await collectText(await store.get('smoke/hello.txt'))).toBe('hello');
        expect((await store.list('smoke')).map((file) => file.path)).toEqual(['smoke/hello.txt']);
      },
    );
  },
  'foreign-uris': ({ plugin, options }) => {
    it('does not claim URIs that are not its own', async () => {
      const own = new Set<string>();
      if (options.trackingUri !== undefined) own.add(schemeOf(await options.trackingUri()));
      if (options.artifactUri !== undefined) own.add(schemeOf(await options.artifactUri()));
      const foreign = options.foreignUris ?? wellKnownUris.filter((uri) => !own.has(schemeOf(uri)));
      const claimed = foreign.filter((uri) => plugin.handles(uri));
      expect(claimed, `${plugin.name} claims URIs of other plugins`).toEqual([]);
    });
  },
};

/**
 * Declares the store-plugin conformance suites for a plugin: openStores picks it for its URIs and it opens
 * the facets it declares; the stores it opens pass a smoke round trip (an experiment and a run, a
 * registered model, an artifact file); it does not claim other plugins' URIs. The stores' full behaviour
 * is proven by {@link describeTrackingStore} and the other `describe*Store` suites.
 */
export function describeStorePlugin(plugin: StorePlugin, options: StorePluginSuiteOptions = {}): void {
  describe(`StorePlugin conformance: ${plugin.name}`, () => {
    const opened: OpenedStores[] = [];
    afterEach(async () => {
      const closing = opened.splice(0);
      await Promise.all(closing.map((stores) => stores.close()));
    });
    const contextOf = async () => (options.context === undefined ? {} : await options.context());
    const context: PluginSuiteContext = {
      plugin,
      options,
      open: async () => {
        if (options.trackingUri === undefined) throw new Error('No trackingUri given');
        const stores = await openStores(await options.trackingUri(), [plugin], await contextOf());
        opened.push(stores);
        return stores;
      },
      artifactTarget: async () => {
        if (options.artifactUri === undefined) throw new Error('No artifactUri given');
        return { uri: await options.artifactUri(), context: await contextOf() };
      },
    };
    describeNamedSuites(
      storePluginSuiteNames.map((suiteName) => [suiteName, suites[suiteName]] as const),
      context,
      options,
    );
  });
}
