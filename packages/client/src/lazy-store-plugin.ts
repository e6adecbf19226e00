import { CairnError, type StoreOpenContext, type StorePlugin } from '@cairn/core';

type Facet = 'openTracking' | 'openRegistry' | 'openTraces' | 'openArtifacts';

/** Options of {@link createLazyStorePlugin}. */
export interface LazyStorePluginOptions {
  /** The plugin's name, as the loaded plugin has it. */
  name: string;
  /** The facets the loaded plugin has; openStores asks only for these. */
  facets: readonly Facet[];
  /** Which URIs the plugin handles, answered without loading it. */
  handles(uri: string): boolean;
  /** The packages a URI needs, for the message when one is missing, e.g. `['@cairn/store-sql', 'pg']`. */
  packagesFor(uri: string): readonly string[];
  /** Imports the plugin (and checks any driver `uri` needs); rejects when a package is not installed. */
  load(uri: string): Promise<StorePlugin>;
}

/**
 * A plugin that imports the real one on first use, so the client depends on a store package only as an
 * optional peer: a user logging to a remote server never installs SQLite's native module. A missing package
 * fails with a CairnError naming what to install.
 */
export function createLazyStorePlugin(options: LazyStorePluginOptions): StorePlugin {
  const load = async (uri: string): Promise<StorePlugin> => {
    try {
      return await options.load(uri);
    } catch (error) {
      const packages = options.packagesFor(uri);
      throw new CairnError(
        'INTERNAL_ERROR',
        `Install ${packages.join(' and ')} to use ${uri} (e.g. npm install ${packages.join(' ')})`,
        { cause: error, details: { dependencies: [...packages] } },
      );
    }
  };
  const facet =
    <K extends Facet>(key: K) =>
    async (uri: string, context: StoreOpenContext) => {
      const plugin = await load(uri);
      const open = plugin[key] as ((uri: string, context: StoreOpenContext) => unknown) | undefined;
      if (open === undefined) {
        throw new CairnError('INTERNAL_ERROR', `The ${plugin.name} store plugin cannot open ${uri}`);
      }
      return (await open.call(plugin, uri, context)) as Awaited<ReturnType<NonNullable<StorePlugin[K]>>>;
    };
  const plugin: StorePlugin = {
    specificationVersion: 'v1',
    name: options.name,
    handles: options.handles,
  };
  for (const key of options.facets) Object.assign(plugin, { [key]: facet(key) });
  return plugin;
}
