import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { resolveTrackingUri } from '@cairn/client';
import {
  type ArtifactStore,
  invalidParameter,
  openArtifactStore,
  openStores,
  parseArtifactUri,
  parseTrackingUri,
  pathToFileUri,
  type RegistryStore,
  type StoreOpenContext,
  type StorePlugin,
  type TrackingStore,
  type WebhookStore,
} from '@cairn/core';
import type { BackendStoreType } from '@cairn/server';
import { fileStorePlugin } from '@cairn/store-file';
import { createMemoryStorePlugin } from '@cairn/store-memory';
import { createS3StorePlugin, s3StorePlugin } from '@cairn/store-s3';
import { createSqlStorePlugin } from '@cairn/store-sql';
import { clusterWriteLock } from './cluster-write-lock.js';
import type { ServerOptions } from './server-options.js';

/** The stores a server runs over, and what it resolved them to (for the startup line). */
export interface ServerStores {
  trackingStore: TrackingStore;
  /** The model registry; undefined when the backend's plugin has none (registry RPCs then answer NOT_IMPLEMENTED). */
  registryStore: RegistryStore | undefined;
  /** The registry's webhooks; undefined for a file store, which has none (as MLflow's FileStore). */
  webhookStore: WebhookStore | undefined;
  artifactStore: ArtifactStore | undefined;
  /** What `server-info` calls the backend (`SqlStore`, `FileStore`), as MLflow's server does; undefined otherwise. */
  backendStoreType: BackendStoreType | undefined;
  backendStoreUri: string;
  defaultArtifactRoot: string;
  /** The plugins the stores were opened with; run artifact URIs (`file://`, `s3://`) open through them too. */
  plugins: readonly StorePlugin[];
  /** What plugins open stores with: the working directory and the environment. */
  context: StoreOpenContext;
  /** Closes the backend stores (not the proxied artifact store, which holds nothing open). */
  close(): Promise<void>;
}

/** What a server opens its stores with besides its options. */
export interface ServerStoreOptions {
  /** Relative paths resolve against this; default `process.cwd()`. */
  cwd?: string;
  /** Where S3 reads `MLFLOW_S3_*` and `AWS_*`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Store plugins tried before Cairn's own (SQL, file, memory, S3), e.g. a third party's backend. */
  plugins?: readonly StorePlugin[];
}

const backendStoreTypes: Readonly<Record<string, BackendStoreType>> = { file: 'FileStore', sql: 'SqlStore' };

/** The plugins a server opens its backend and artifact stores with: the given ones first, then Cairn's. */
export function serverStorePlugins(
  backendStoreUri: string,
  extra: readonly StorePlugin[] = [],
): StorePlugin[] {
  // Cluster workers on one SQLite file queue for its write lock at the primary (see cluster-write-lock).
  const sqlite = (() => {
    try {
      return parseTrackingUri(backendStoreUri).kind === 'sqlite';
    } catch {
      return false;
    }
  })();
  const sqlStorePlugin = createSqlStorePlugin(
    sqlite && cluster.isWorker ? { sqliteWriteLock: clusterWriteLock() } : {},
  );
  return [...extra, sqlStorePlugin, fileStorePlugin, createMemoryStorePlugin(), s3StorePlugin];
}

/**
 * Opens the backend store with MLflow's artifact-root rules: `--default-artifact-root` if given, else
 * `mlflow-artifacts:/` when serving artifacts, else `./mlruns` for a file store and `./mlartifacts` for a
 * database. Stores open through the plugins (the given ones first), so the server resolves URIs as the
 * client does; the registry's tables live in the same database, as with `mlflow server`.
 */
export async function openServerStores(
  options: ServerOptions,
  storeOptions: ServerStoreOptions = {},
): Promise<ServerStores> {
  const cwd = storeOptions.cwd ?? process.cwd();
  // The server never follows MLFLOW_TRACKING_URI: pointing it at itself would loop.
  const backendStoreUri = options.backendStoreUri ?? resolveTrackingUri(undefined, {}, cwd);
  const parsed = parseTrackingUri(backendStoreUri);
  const localRoot = (path: string) => pathToFileUri(resolve(cwd, path));
  const defaultArtifactRoot =
    options.defaultArtifactRoot ??
    (options.serveArtifacts
      ? 'mlflow-artifacts:'
      : parsed.kind === 'file'
        ? localRoot(parsed.path)
        : localRoot('mlartifacts'));
  const plugins = serverStorePlugins(backendStoreUri, storeOptions.plugins);
  const context: StoreOpenContext = {
    cwd,
    env: storeOptions.env ?? process.env,
    artifactRoot: defaultArtifactRoot,
  };
  // An http(s) backend (another tracking server) would make this server a proxy of a proxy.
  if (!plugins.some((plugin) => plugin.openTracking !== undefined && plugin.handles(backendStoreUri))) {
    throw invalidParameter(
      `The server cannot use '${backendStoreUri}' as its backend store: give a path, sqlite:///, postgresql://, mysql:// or memory: URI`,
      { field: 'backend_store_uri' },
    );
  }
  const opened = await openStores(backendStoreUri, plugins, context);
  try {
    const artifactStore = options.serveArtifacts
      ? await openArtifactsDestination(options.artifactsDestination, cwd, { env: context.env, plugins })
      : undefined;
    return {
      trackingStore: opened.tracking,
      registryStore: opened.registry,
      webhookStore: opened.webhooks,
      artifactStore,
      backendStoreType: backendStoreTypes[opened.pluginName],
      backendStoreUri,
      defaultArtifactRoot,
      plugins,
      context,
      close: opened.close,
    };
  } catch (error) {
    await opened.close().catch(() => {});
    throw error;
  }
}

/**
 * S3 behind the proxy buffers each streamed upload in at most 2 parts in flight plus one filling, of 5 MiB
 * (S3's minimum part size): 15 MiB per upload, where the store's defaults (4 in flight of 8 MiB) hold 40 MiB.
 * A server takes many uploads at once; measured, a 256 MB upload grows the server's RSS by about 50 MB.
 */
const proxiedS3StorePlugin = createS3StorePlugin({ partSizeBytes: 5 * 1024 * 1024, queueSize: 2 });

/**
 * The store behind the artifact proxy: a path (relative to `cwd`) or `file://` URI is a local directory;
 * any other URI opens through the plugins (`s3://bucket/prefix` through @cairn/store-s3 with the proxy's
 * part sizes, configured from `MLFLOW_S3_ENDPOINT_URL` and `AWS_*` as MLflow's S3 repository is).
 * A destination the server cannot serve throws at once (before any store opens).
 */
export function openArtifactsDestination(
  destination: string,
  cwd: string,
  options: { env?: StoreOpenContext['env']; plugins?: readonly StorePlugin[] } = {},
): Promise<ArtifactStore> {
  const plugins = options.plugins ?? [];
  const unsupported = () =>
    invalidParameter(
      `The server cannot serve artifacts from '${destination}': give a directory, a file:// URI or an s3://bucket/prefix URI`,
      { field: 'artifacts_destination' },
    );
  const scheme = parseArtifactUri(destination).scheme;
  // The proxy's own scheme (or another tracking server) behind the proxy would send uploads in a circle.
  if (['mlflow-artifacts', 'http', 'https'].includes(scheme)) throw unsupported();
  const candidates = [proxiedS3StorePlugin, fileStorePlugin, ...plugins];
  if (!candidates.some((plugin) => plugin.openArtifacts !== undefined && plugin.handles(destination))) {
    throw unsupported();
  }
  return openArtifactStore(destination, candidates, {
    cwd,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}
