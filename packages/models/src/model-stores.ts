import {
  type ArtifactStore,
  invalidParameter,
  openArtifactStore,
  type RegistryStore,
  type StoreOpenContext,
  type StorePlugin,
  type TrackingStore,
} from '@cairn/core';

/**
 * The stores `loadModel` and `logModel` reach models through. `@cairn/models` opens none itself (it sits
 * below the client): the client passes its own (`CairnClient#modelStores()`), or a caller builds one from
 * stores and plugins with {@link createModelStores}.
 */
export interface ModelStores {
  /** Runs (`runs:/`), logged models (`models:/m-...`) and where `logModel` records its model. */
  readonly tracking?: TrackingStore | undefined;
  /** Registered models (`models:/<name>/...`) and where `registeredModelName` registers. */
  readonly registry?: RegistryStore | undefined;
  /** Opens the artifact store rooted at an artifact URI (`s3://`, `file:`, `mlflow-artifacts:`...). */
  artifactStoreAt(artifactUri: string): Promise<ArtifactStore>;
}

/** Options of {@link createModelStores}. */
export interface CreateModelStoresOptions {
  readonly tracking?: TrackingStore;
  readonly registry?: RegistryStore;
  /** The plugins that open artifact stores (e.g. store-file's, store-s3's, store-rest's). */
  readonly plugins: readonly StorePlugin[];
  /** Passed to the plugins: cwd, env, the tracking URI `mlflow-artifacts:` URIs belong to. */
  readonly context?: StoreOpenContext;
}

/** Model stores over given stores and the plugins that open artifact URIs, through core's `openArtifactStore`. */
export function createModelStores(options: CreateModelStoresOptions): ModelStores {
  return {
    tracking: options.tracking,
    registry: options.registry,
    artifactStoreAt: (artifactUri) => openArtifactStore(artifactUri, options.plugins, options.context ?? {}),
  };
}

/** The tracking store, or INVALID_PARAMETER_VALUE saying which URI needed it. */
export function requireTracking(stores: ModelStores | undefined, needed: string): TrackingStore {
  if (stores?.tracking === undefined) {
    throw invalidParameter(`${needed} needs a tracking store: pass { stores } (a CairnClient does)`, {
      field: 'stores',
    });
  }
  return stores.tracking;
}
