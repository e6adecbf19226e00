import { resolve } from 'node:path';
import { defaultArtifactResolvers, resolveTrackingUri } from '@cairn/client';
import {
  type ArtifactStore,
  invalidParameter,
  parseTrackingUri,
  pathToFileUri,
  type TrackingStore,
} from '@cairn/core';
import { createFileArtifactStore, createFileTrackingStore } from '@cairn/store-file';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { createSqlTrackingStore } from '@cairn/store-sql';
import type { ServerOptions } from './server-options.js';

/** The stores a server runs over, and what it resolved them to (for the startup line). */
export interface ServerStores {
  trackingStore: TrackingStore;
  artifactStore: ArtifactStore | undefined;
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
      trackingStore = createSqlTrackingStore({ uri, artifactRoot: defaultArtifactRoot });
      break;
    }
    case 'memory':
      trackingStore = createMemoryTrackingStore({ artifactRoot: defaultArtifactRoot });
      break;
    default:
      throw invalidParameter(
        `The server cannot use '${backendStoreUri}' as its backend store: give a path, sqlite:///, postgresql://, mysql:// or memory: URI`,
        { field: 'backend_store_uri' },
      );
  }
  const artifactStore = options.serveArtifacts
    ? createFileArtifactStore({ root: resolve(cwd, options.artifactsDestination) })
    : undefined;
  return { trackingStore, artifactStore, backendStoreUri, defaultArtifactRoot };
}

/** Resolvers for run artifact URIs that are not proxied (`file://` roots when not serving artifacts). */
export const serverArtifactResolvers = defaultArtifactResolvers;
