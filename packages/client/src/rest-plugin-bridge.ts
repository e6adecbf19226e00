// A bridge until @cairn/store-rest lands (issue 11): today's REST stores in ./rest/ as a StorePlugin of
// core's contract. At the merge this file goes and the client imports `restStorePlugin` from @cairn/store-rest.
import { invalidParameter, parseArtifactUri, parseTrackingUri, type StorePlugin } from '@cairn/core';
import {
  createRestArtifactResolver,
  createRestRegistryStore,
  createRestTrackingStore,
} from './rest/index.js';

const httpUrl = (uri: string | undefined): string | undefined => {
  if (uri === undefined) return undefined;
  try {
    const parsed = parseTrackingUri(uri);
    return parsed.kind === 'http' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
};

const baseUrlOf = (uri: string): string => {
  const url = httpUrl(uri);
  if (url === undefined)
    throw invalidParameter(`Not an http(s) tracking URI: '${uri}'`, { field: 'tracking_uri' });
  return url;
};

/**
 * `http(s)://` tracking URIs (an MLflow-compatible tracking server, Cairn's or MLflow's, over REST: tracking
 * and model registry) and the artifact URIs such a server hands out (`mlflow-artifacts:` and its proxy's
 * `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`). A host-less `mlflow-artifacts:/…` URI refers to
 * `context.trackingUri`, so two clients on two servers in one process never mix their artifact URIs up.
 */
export const restStorePlugin: StorePlugin = {
  specificationVersion: 'v1',
  name: 'rest',
  handles: (uri) => {
    const scheme = parseArtifactUri(uri.trim()).scheme;
    return scheme === 'http' || scheme === 'https' || scheme === 'mlflow-artifacts';
  },
  openTracking: (uri, context) =>
    createRestTrackingStore({ baseUrl: baseUrlOf(uri), ...(context.env ? { env: { ...context.env } } : {}) }),
  openRegistry: (uri, context) =>
    createRestRegistryStore({ baseUrl: baseUrlOf(uri), ...(context.env ? { env: { ...context.env } } : {}) }),
  openArtifacts: (uri, context) => {
    const trackingServer = httpUrl(context.trackingUri) ?? httpUrl(context.env?.MLFLOW_TRACKING_URI);
    const store = createRestArtifactResolver({
      ...(trackingServer === undefined ? {} : { baseUrl: trackingServer }),
      ...(context.env === undefined ? {} : { env: { ...context.env } }),
    })(uri);
    if (store === undefined) {
      throw invalidParameter(
        `Cannot open '${uri}': a host-less mlflow-artifacts: URI needs an http(s) tracking URI to resolve against`,
        { field: 'artifact_uri' },
      );
    }
    return store;
  },
};
