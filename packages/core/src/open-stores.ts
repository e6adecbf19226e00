import type { ArtifactStore } from './contracts/artifact-store.js';
import type { RegistryStore } from './contracts/registry-store.js';
import type { StoreOpenContext, StorePlugin } from './contracts/store-plugin.js';
import type { TraceStore } from './contracts/trace-store.js';
import type { TrackingStore } from './contracts/tracking-store.js';
import type { WebhookStore } from './contracts/webhook-store.js';
import { invalidParameter } from './errors.js';

/** The stores behind one tracking URI, as {@link openStores} opened them. */
export interface OpenedStores {
  /** The URI they were opened from. */
  readonly uri: string;
  /** The name of the plugin that opened the tracking store. */
  readonly pluginName: string;
  readonly tracking: TrackingStore;
  /** The model registry at the same URI, or undefined when no plugin has one for it. */
  readonly registry: RegistryStore | undefined;
  /** The trace store at the same URI, or undefined when no plugin has one for it. */
  readonly traces: TraceStore | undefined;
  /** The registry's webhooks at the same URI, or undefined when no plugin has them (a file store, as in MLflow). */
  readonly webhooks: WebhookStore | undefined;
  /** Closes every store opened here. */
  close(): Promise<void>;
}

const names = (plugins: readonly StorePlugin[]) =>
  plugins.length === 0 ? 'none' : plugins.map((plugin) => plugin.name).join(', ');

type Facet = 'openTracking' | 'openRegistry' | 'openWebhooks' | 'openTraces' | 'openArtifacts';

function findPlugin(uri: string, plugins: readonly StorePlugin[], facet: Facet): StorePlugin | undefined {
  return plugins.find((plugin) => plugin[facet] !== undefined && plugin.handles(uri));
}

/**
 * Opens the tracking store at `uri` with the first plugin that handles it, and the registry and trace
 * stores at the same URI where a plugin has them. Plugins are tried in order; a URI no plugin handles
 * fails with INVALID_PARAMETER_VALUE naming the plugins given.
 */
export async function openStores(
  uri: string,
  plugins: readonly StorePlugin[],
  context: StoreOpenContext = {},
): Promise<OpenedStores> {
  const trackingPlugin = findPlugin(uri, plugins, 'openTracking');
  if (trackingPlugin?.openTracking === undefined) {
    throw invalidParameter(
      `No store plugin handles the tracking URI '${uri}' (plugins given: ${names(plugins)})`,
      { field: 'tracking_uri' },
    );
  }
  const tracking = await trackingPlugin.openTracking(uri, context);
  const opened: { close(): Promise<void> }[] = [tracking];
  try {
    const registry = await findPlugin(uri, plugins, 'openRegistry')?.openRegistry?.(uri, context);
    if (registry !== undefined) opened.push(registry);
    const webhooks = await findPlugin(uri, plugins, 'openWebhooks')?.openWebhooks?.(uri, context);
    if (webhooks !== undefined) opened.push(webhooks);
    const traces = await findPlugin(uri, plugins, 'openTraces')?.openTraces?.(uri, context);
    if (traces !== undefined) opened.push(traces);
    return {
      uri,
      pluginName: trackingPlugin.name,
      tracking,
      registry,
      traces,
      webhooks,
      close: () => closeAll(opened),
    };
  } catch (error) {
    await closeAll(opened).catch(() => {});
    throw error;
  }
}

/** Closes stores in reverse order of opening; every one is closed even if an earlier close fails. */
async function closeAll(stores: readonly { close(): Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled([...stores].reverse().map((store) => store.close()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * Opens the artifact store rooted at `artifactUri` with the first plugin that handles it; a URI no plugin
 * handles fails with INVALID_PARAMETER_VALUE naming the plugins given.
 */
export async function openArtifactStore(
  artifactUri: string,
  plugins: readonly StorePlugin[],
  context: StoreOpenContext = {},
): Promise<ArtifactStore> {
  const plugin = findPlugin(artifactUri, plugins, 'openArtifacts');
  if (plugin?.openArtifacts === undefined) {
    throw invalidParameter(
      `No store plugin handles the artifact URI '${artifactUri}' (plugins given: ${names(plugins)})`,
      { field: 'artifact_uri' },
    );
  }
  return plugin.openArtifacts(artifactUri, context);
}
