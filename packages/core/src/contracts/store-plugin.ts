import type { ArtifactStore } from './artifact-store.js';
import type { RegistryStore } from './registry-store.js';
import type { TraceStore } from './trace-store.js';
import type { TrackingStore } from './tracking-store.js';
import type { WebhookStore } from './webhook-store.js';

/** A value, or a promise of it: a plugin may load its driver (an optional peer) before answering. */
export type Awaitable<T> = T | Promise<T>;

/** An environment to read MLflow's variables from (`MLFLOW_TRACKING_TOKEN`, `AWS_*`...), e.g. `process.env`. */
export type StoreEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * What a plugin may use to open a store. Everything a store needs from its surroundings arrives here, so
 * a plugin holds no module-level state and two stores on two URIs in one process never share anything
 * they should not.
 */
export interface StoreOpenContext {
  /**
   * Relative paths in a URI resolve against this directory. Absent where there is no file system (a
   * browser); a plugin that needs one fails with INVALID_PARAMETER_VALUE naming the URI.
   */
  readonly cwd?: string;
  /** Where new experiments keep artifacts when the URI does not say, e.g. `file:///srv/mlartifacts`. */
  readonly artifactRoot?: string;
  /** Environment variables, where an environment exists; plugins never read `process.env` themselves. */
  readonly env?: StoreEnvironment;
  /**
   * The tracking URI the artifact URI belongs to: a host-less `mlflow-artifacts:/...` URI refers to the
   * tracking server at this URI, as in MLflow.
   */
  readonly trackingUri?: string;
}

/**
 * Opens stores for the URIs it handles. Each store package exports one (`sqlStorePlugin`,
 * `fileStorePlugin`...); callers pass the plugins they want to {@link openStores} explicitly, so importing a
 * package registers nothing. A plugin implements the facets its backend has and leaves the others out.
 */
export interface StorePlugin {
  /** The version of this contract the plugin implements. */
  readonly specificationVersion: 'v1';
  /** A short name for messages, e.g. `sql`. */
  readonly name: string;
  /** True when this plugin opens stores for `uri` (a tracking URI or an artifact URI). */
  handles(uri: string): boolean;
  /** Opens the tracking store (experiments, runs, logged models) at a tracking URI. */
  openTracking?(uri: string, context: StoreOpenContext): Awaitable<TrackingStore>;
  /** Opens the model registry at a tracking or registry URI. */
  openRegistry?(uri: string, context: StoreOpenContext): Awaitable<RegistryStore>;
  /** Opens the registry's webhooks at a tracking or registry URI (MLflow 3 keeps them beside the registry). */
  openWebhooks?(uri: string, context: StoreOpenContext): Awaitable<WebhookStore>;
  /** Opens the trace store at a tracking URI. */
  openTraces?(uri: string, context: StoreOpenContext): Awaitable<TraceStore>;
  /** Opens the artifact store rooted at an artifact URI. */
  openArtifacts?(uri: string, context: StoreOpenContext): Awaitable<ArtifactStore>;
}
