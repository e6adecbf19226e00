import { describe, expect, it } from 'vitest';
import type { ArtifactStore } from './contracts/artifact-store.js';
import type { RegistryStore } from './contracts/registry-store.js';
import type { StoreOpenContext, StorePlugin } from './contracts/store-plugin.js';
import type { TrackingStore } from './contracts/tracking-store.js';
import { CairnError } from './errors.js';
import { openArtifactStore, openStores } from './open-stores.js';

// Stand-ins that only record what happened to them: openStores never calls a store method but close().
function fakeStore<T>(name: string, log: string[]): T {
  return { name, close: async () => void log.push(`close ${name}`) } as unknown as T;
}

function plugin(name: string, scheme: string, facets: Partial<StorePlugin> = {}): StorePlugin {
  return {
    specificationVersion: 'v1',
    name,
    handles: (uri) => uri.startsWith(`${scheme}:`),
    ...facets,
  };
}

describe('openStores', () => {
  it('opens each facet with the first plugin that handles the URI and has it', async () => {
    const log: string[] = [];
    const seen: StoreOpenContext[] = [];
    const plugins = [
      plugin('artifacts-only', 'x', { openArtifacts: () => fakeStore<ArtifactStore>('a', log) }),
      plugin('tracking', 'x', {
        openTracking: (_uri, context) => {
          seen.push(context);
          return fakeStore<TrackingStore>('t', log);
        },
      }),
      plugin('registry', 'x', {
        openRegistry: async () => fakeStore<RegistryStore>('r', log),
      }),
    ];
    const stores = await openStores('x://db', plugins, { cwd: '/work' });
    expect(stores.pluginName).toBe('tracking');
    expect(stores.registry).toMatchObject({ name: 'r' });
    expect(stores.traces).toBeUndefined();
    expect(seen).toEqual([{ cwd: '/work' }]);
    await stores.close();
    expect(log).toEqual(['close r', 'close t']);
    await expect(openArtifactStore('x://bucket/a', plugins)).resolves.toMatchObject({ name: 'a' });
  });

  it('names the URI and the plugins given when none handles it', async () => {
    const plugins = [plugin('file', 'file', { openTracking: () => fakeStore<TrackingStore>('t', []) })];
    const failure = await openStores('postgresql://db', plugins).catch((error: unknown) => error);
    expect(CairnError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(String((failure as Error).message)).toContain("'postgresql://db' (plugins given: file)");
    await expect(openArtifactStore('s3://bucket', [])).rejects.toThrow('plugins given: none');
  });

  it('closes what it opened when a later facet fails to open', async () => {
    const log: string[] = [];
    const plugins = [
      plugin('broken', 'x', {
        openTracking: () => fakeStore<TrackingStore>('t', log),
        openRegistry: () => {
          throw new Error('registry driver missing');
        },
      }),
    ];
    await expect(openStores('x://db', plugins)).rejects.toThrow('registry driver missing');
    expect(log).toEqual(['close t']);
  });
});
