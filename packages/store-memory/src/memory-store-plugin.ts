import {
  parseTrackingUri,
  type RegistryStore,
  type StorePlugin,
  type TrackingStore,
  type WebhookStore,
} from '@cairn/core';
import { createMemoryArtifactStore } from './memory-artifact-store.js';
import { createMemoryRegistryStore } from './memory-registry-store.js';
import { createMemoryTrackingStore } from './memory-tracking-store.js';
import { createMemoryWebhookStore } from './memory-webhook-store.js';

const isMemoryUri = (uri: string) => /^memory:/iu.test(uri.trim());

const nameOf = (uri: string): string => {
  const parsed = parseTrackingUri(uri);
  return parsed.kind === 'memory' ? parsed.name : 'default';
};

// Closing one opener must not wipe a store that other openers of the same name still use.
const unclosable = <T extends { close(): Promise<void> }>(store: T): T => ({
  ...store,
  close: async () => {},
});

/**
 * A plugin for `memory:<name>` tracking URIs (an in-process tracking store and model registry, for tests,
 * benchmarks and notebooks) and `memory://` artifact URIs. Each plugin instance keeps its own named stores:
 * `memory:x` opened twice through one instance is one store (as two clients on one database would share
 * it), and two instances never share anything but artifact bytes, which are kept by URI.
 */
export function createMemoryStorePlugin(): StorePlugin {
  const tracking = new Map<string, TrackingStore>();
  const registries = new Map<string, RegistryStore>();
  const webhookStores = new Map<string, WebhookStore>();
  return {
    specificationVersion: 'v1',
    name: 'memory',
    handles: isMemoryUri,
    openTracking: (uri, context) => {
      const name = nameOf(uri);
      let store = tracking.get(name);
      if (store === undefined) {
        const artifactRoot = context.artifactRoot ?? `memory://artifacts/${name}`;
        store = unclosable(createMemoryTrackingStore({ artifactRoot }));
        tracking.set(name, store);
      }
      return store;
    },
    openRegistry: (uri) => {
      const name = nameOf(uri);
      let store = registries.get(name);
      if (store === undefined) {
        store = unclosable(createMemoryRegistryStore());
        registries.set(name, store);
      }
      return store;
    },
    openWebhooks: (uri) => {
      const name = nameOf(uri);
      let store = webhookStores.get(name);
      if (store === undefined) {
        store = unclosable(createMemoryWebhookStore());
        webhookStores.set(name, store);
      }
      return store;
    },
    openArtifacts: (uri) => createMemoryArtifactStore({ rootUri: uri }),
  };
}
