import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { defaultArtifactResolvers, resolveTrackingUri } from '@cairn/client';
import {
  type ArtifactStore,
  invalidParameter,
  parseArtifactUri,
  parseTrackingUri,
  pathToFileUri,
  type RegistryStore,
  type TrackingStore,
} from '@cairn/core';
import type { BackendStoreType } from '@cairn/server';
import { createFileArtifactStore, createFileTrackingStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { createS3ArtifactResolver } from '@cairn/store-s3';
import { createSqlRegistryStore, createSqlTrackingStore } from '@cairn/store-sql';
import { clusterWriteLock } from './cluster-write-lock.js';
import type { ServerOptions } from './server-options.js';

/** The stores a server runs over, and what it resolved them to (for the startup line). */
export interface ServerStores {
  trackingStore: TrackingStore;
  /** The model registry; undefined for a file store, which has none yet (registry RPCs answer NOT_IMPLEMENTED). */
  registryStore: RegistryStore | undefined;
  artifactStore: ArtifactStore | undefined;
  /** What `server-info` calls the backend (`SqlStore`, `FileStore`), as MLflow's server does; undefined for memory. */
  backendStoreType: BackendStoreType | undefined;
  backendStoreUri: string;
  defaultArtifactRoot: string;
}

/**
 * Opens the backend store with MLflow's artifact-root rules: `--default-artifact-root` if given, else
 * `mlflow-artifacts:/` when serving artifacts, else `./mlruns` for a file store and `./mlartifacts` for a database.
 */
export function openServerStores(options: ServerOptions, cwd: string): ServerStores {
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
  let trackingStore: TrackingStore;
  let registryStore: RegistryStore | undefined;
  switch (parsed.kind) {
    case 'file':
      trackingStore = createFileTrackingStore({
        root: resolve(cwd, parsed.path),
        artifactRoot: defaultArtifactRoot,
      });
      break;
    case 'sqlite':
    case 'postgresql':
    case 'mysql': {
      const uri =
        parsed.kind === 'sqlite' && parsed.path !== ':memory:' && !parsed.path.startsWith('/')
          ? `sqlite:///${resolve(cwd, parsed.path)}`
          : parsed.uri;
      // Cluster workers on one SQLite file queue for its write lock at the primary (see cluster-write-lock).
      const sqliteWriteLock = parsed.kind === 'sqlite' && cluster.isWorker ? clusterWriteLock() : undefined;
      const shared = sqliteWriteLock === undefined ? {} : { sqliteWriteLock };
      trackingStore = createSqlTrackingStore({ uri, artifactRoot: defaultArtifactRoot, ...shared });
      // The registry's tables live in the same database, as with `mlflow server`; in one process both stores
      // share one SQLite connection.
      registryStore = createSqlRegistryStore({ uri, ...shared });
      break;
    }
    case 'memory':
      trackingStore = createMemoryTrackingStore({ artifactRoot: defaultArtifactRoot });
      registryStore = createMemoryRegistryStore();
      break;
    default:
      throw invalidParameter(
        `The server cannot use '${backendStoreUri}' as its backend store: give a path, sqlite:///, postgresql://, mysql:// or memory: URI`,
        { field: 'backend_store_uri' },
      );
  }
  const artifactStore = options.serveArtifacts
    ? openArtifactsDestination(options.artifactsDestination, cwd)
    : undefined;
  const backendStoreType: BackendStoreType | undefined =
    parsed.kind === 'file' ? 'FileStore' : parsed.kind === 'memory' ? undefined : 'SqlStore';
  return {
    trackingStore,
    registryStore,
    artifactStore,
    backendStoreType,
    backendStoreUri,
    defaultArtifactRoot,
  };
}

/** Resolvers for run artifact URIs that are not proxied (`file://` or `s3://` roots when not serving artifacts). */
export const serverArtifactResolvers = defaultArtifactResolvers;

/**
 * S3 behind the proxy buffers each streamed upload in at most 2 parts in flight plus one filling, of 5 MiB
 * (S3's minimum part size): 15 MiB per upload, where the store's defaults (4 in flight of 8 MiB) hold 40 MiB.
 * A server takes many uploads at once; measured, a 256 MB upload grows the server's RSS by about 50 MB.
 */
const proxiedS3Resolver = createS3ArtifactResolver({ partSizeBytes: 5 * 1024 * 1024, queueSize: 2 });

/**
 * The store behind the artifact proxy: a path (relative to `cwd`) or `file://` URI is a local directory;
 * any other URI opens through the artifact resolvers (`s3://bucket/prefix` through @cairn/store-s3, configured
 * from `MLFLOW_S3_ENDPOINT_URL` and `AWS_*` as MLflow's S3 repository is).
 */
export function openArtifactsDestination(destination: string, cwd: string): ArtifactStore {
  const parsed = parseArtifactUri(destination);
  if (parsed.scheme === 'file') return createFileArtifactStore({ root: resolve(cwd, parsed.path) });
  const unsupported = () =>
    invalidParameter(
      `The server cannot serve artifacts from '${destination}': give a directory, a file:// URI or an s3://bucket/prefix URI`,
      { field: 'artifacts_destination' },
    );
  // The proxy's own scheme (or another tracking server) behind the proxy would send uploads in a circle.
  if (['mlflow-artifacts', 'http', 'https'].includes(parsed.scheme)) throw unsupported();
  for (const resolver of [proxiedS3Resolver, ...serverArtifactResolvers]) {
    const store = resolver(destination);
    if (store !== undefined) return store;
  }
  throw unsupported();
}
