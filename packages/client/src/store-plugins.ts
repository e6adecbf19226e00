import { isAbsolute, resolve } from 'node:path';
import {
  type ArtifactStore,
  type ArtifactStoreResolver,
  invalidParameter,
  parseTrackingUri,
  pathToFileUri,
  type TrackingStore,
  type TrackingUri,
} from '@cairn/core';
import { createFileTrackingStore, fileArtifactResolver } from '@cairn/store-file';
import { createMemoryTrackingStore, memoryArtifactResolver } from '@cairn/store-memory';
import { createRestArtifactResolver, createRestTrackingStore } from '@cairn/store-rest';
import { s3ArtifactResolver } from '@cairn/store-s3';
import { createSqlTrackingStore } from '@cairn/store-sql';
import { defaultArtifactDirectory } from './tracking-uri.js';

/** Opens a tracking store for the URIs it handles. Plugins are passed explicitly; importing registers nothing. */
export interface TrackingStorePlugin {
  /** A name for messages, e.g. `file`. */
  readonly name: string;
  /** True when this plugin opens stores for `uri`. */
  handles(uri: TrackingUri): boolean;
  /** Opens the store; relative paths resolve against `cwd`. */
  open(uri: TrackingUri, options: { cwd: string }): TrackingStore;
}

/** Bare paths and `file:` URIs: MLflow's `mlruns/` layout. */
export const fileStorePlugin: TrackingStorePlugin = {
  name: 'file',
  handles: (uri) => uri.kind === 'file',
  open: (uri, { cwd }) =>
    createFileTrackingStore({ root: resolve(cwd, uri.kind === 'file' ? uri.path : '') }),
};

/**
 * `sqlite:///path.db`, `postgresql://...`, `mysql://...`: MLflow's SQL schema through `@cairn/store-sql`.
 * A relative SQLite path resolves against `cwd`; new experiments keep artifacts under `<cwd>/mlartifacts`.
 */
export const sqlStorePlugin: TrackingStorePlugin = {
  name: 'sql',
  handles: (uri) => uri.kind === 'sqlite' || uri.kind === 'postgresql' || uri.kind === 'mysql',
  open: (uri, { cwd }) => {
    let target = uri.kind === 'postgresql' || uri.kind === 'mysql' || uri.kind === 'sqlite' ? uri.uri : '';
    if (uri.kind === 'sqlite' && uri.path !== ':memory:' && !isAbsolute(uri.path)) {
      target = `sqlite:///${resolve(cwd, uri.path)}`;
    }
    return createSqlTrackingStore({
      uri: target,
      artifactRoot: pathToFileUri(resolve(cwd, defaultArtifactDirectory)),
    });
  },
};

// One store per name for the life of the process, so `memory:x` opened twice is the same store (as two
// clients pointed at one database would be).
const memoryStores = new Map<string, TrackingStore>();

/** `memory:<name>`: an in-process store, for tests and benchmarks. */
export const memoryStorePlugin: TrackingStorePlugin = {
  name: 'memory',
  handles: (uri) => uri.kind === 'memory',
  open: (uri) => {
    const name = uri.kind === 'memory' ? uri.name : 'default';
    let store = memoryStores.get(name);
    if (store === undefined) {
      const inner = createMemoryTrackingStore({ artifactRoot: `memory://artifacts/${name}` });
      // Closing one client must not wipe a store other clients of the same name still use.
      store = { ...inner, close: async () => {} };
      memoryStores.set(name, store);
    }
    return store;
  },
};

/** `http(s)://` tracking URIs: an MLflow-compatible tracking server (Cairn's or MLflow's) over REST. */
export const restStorePlugin: TrackingStorePlugin = {
  name: 'rest',
  handles: (uri) => uri.kind === 'http',
  open: (uri) => createRestTrackingStore({ baseUrl: uri.kind === 'http' ? uri.url : '', env: process.env }),
};

/** The tracking store plugins Cairn ships. */
export const defaultTrackingStorePlugins: readonly TrackingStorePlugin[] = [
  sqlStorePlugin,
  fileStorePlugin,
  memoryStorePlugin,
  restStorePlugin,
];

/**
 * The artifact resolvers Cairn ships. `s3://` costs nothing until used: @cairn/store-s3 loads the AWS SDK
 * (an optional peer) on its first request, and names the package to install if it is missing.
 */
export const defaultArtifactResolvers: readonly ArtifactStoreResolver[] = [
  fileArtifactResolver,
  memoryArtifactResolver,
  // Host-less mlflow-artifacts: URIs resolve against MLFLOW_TRACKING_URI here; a CairnClient on an http(s)
  // tracking URI puts a resolver for its own server first.
  createRestArtifactResolver({ env: process.env }),
  s3ArtifactResolver,
];

/** Opens the tracking store for a URI with the first plugin that handles it. */
export function openTrackingStore(
  trackingUri: string,
  plugins: readonly TrackingStorePlugin[],
  cwd: string,
): TrackingStore {
  const parsed = parseTrackingUri(trackingUri);
  const plugin = plugins.find((candidate) => candidate.handles(parsed));
  if (plugin === undefined) {
    throw invalidParameter(
      `No tracking store plugin handles '${trackingUri}' (${parsed.kind}); installed: ${plugins.map((p) => p.name).join(', ')}`,
      { field: 'tracking_uri' },
    );
  }
  return plugin.open(parsed, { cwd });
}

/** Opens the artifact store rooted at an artifact URI with the first resolver that handles its scheme. */
export function openArtifactStore(
  artifactUri: string,
  resolvers: readonly ArtifactStoreResolver[],
): ArtifactStore {
  for (const resolver of resolvers) {
    const store = resolver(artifactUri);
    if (store !== undefined) return store;
  }
  throw invalidParameter(`No artifact store handles '${artifactUri}'`, { field: 'artifact_uri' });
}
