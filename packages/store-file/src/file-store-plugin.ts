import { isAbsolute, resolve } from 'node:path';
import {
  invalidParameter,
  parseArtifactUri,
  parseTrackingUri,
  type StoreOpenContext,
  type StorePlugin,
} from '@cairn/core';
import { createFileArtifactStore } from './file-artifact-store.js';
import { createFileRegistryStore } from './file-registry-store.js';
import { createFileTrackingStore } from './file-tracking-store.js';

function isFileUri(uri: string): boolean {
  try {
    return parseTrackingUri(uri).kind === 'file';
  } catch {
    return false;
  }
}

/** A local path from a URI: absolute as given, relative against `context.cwd` (which must then be given). */
function localPath(path: string, uri: string, context: StoreOpenContext, field: string): string {
  if (isAbsolute(path)) return path;
  if (context.cwd === undefined) {
    throw invalidParameter(`Cannot open '${uri}': a relative path needs a working directory (cwd)`, {
      field,
    });
  }
  return resolve(context.cwd, path);
}

/**
 * Bare paths and `file:` URIs, as tracking URIs (MLflow's `mlruns/` layout) and as artifact URIs (a local
 * directory). Relative paths resolve against `context.cwd`; new experiments keep artifacts under
 * `context.artifactRoot` when given, else inside the tree, as MLflow's FileStore does. The model registry
 * lives in the same tree's `models/` folder, as MLflow's file registry keeps it.
 */
export const fileStorePlugin: StorePlugin = {
  specificationVersion: 'v1',
  name: 'file',
  handles: isFileUri,
  openTracking: (uri, context) => {
    const parsed = parseTrackingUri(uri);
    const root = localPath(parsed.kind === 'file' ? parsed.path : uri, uri, context, 'tracking_uri');
    return createFileTrackingStore({
      root,
      ...(context.artifactRoot === undefined ? {} : { artifactRoot: context.artifactRoot }),
    });
  },
  openRegistry: (uri, context) => {
    const parsed = parseTrackingUri(uri);
    return createFileRegistryStore({
      root: localPath(parsed.kind === 'file' ? parsed.path : uri, uri, context, 'registry_uri'),
    });
  },
  openArtifacts: (uri, context) =>
    createFileArtifactStore({ root: localPath(parseArtifactUri(uri).path, uri, context, 'artifact_uri') }),
};
