import { invalidParameter, parseTrackingUri, type StoreOpenContext, type StorePlugin } from '@cairn/core';
import { openRestArtifactStore } from './rest-artifact-resolver.js';
import { createRestRegistryStore } from './rest-registry-store.js';
import { createRestTrackingStore } from './rest-tracking-store.js';
import type { RestTransportOptions } from './rest-transport.js';

/** Options of {@link createRestStorePlugin}: what every store it opens sends (auth, headers, retries, fetch). */
export interface RestStorePluginOptions extends Omit<RestTransportOptions, 'baseUrl' | 'env'> {
  /** Stream upload bodies (default in Node) or collect them first (default in browsers); see createRestArtifactStore. */
  streamUploads?: boolean;
}

const isHttp = (uri: string) => /^https?:\/\//iu.test(uri);

function serverOf(uri: string): string {
  const parsed = parseTrackingUri(uri);
  if (parsed.kind !== 'http') {
    throw invalidParameter(`'${uri}' is not an http(s):// tracking URI`, { field: 'tracking_uri' });
  }
  return parsed.url;
}

const transportOptions = (
  options: RestTransportOptions | RestStorePluginOptions,
  context: StoreOpenContext,
) => (context.env === undefined ? options : { ...options, env: context.env });

/**
 * The REST store plugin: `http(s)://` tracking URIs open tracking and registry stores on that server
 * (Cairn's or MLflow's); `mlflow-artifacts:` URIs (host-less ones against `context.trackingUri`) and
 * `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…` URIs open artifact stores over the server's proxy.
 * MLflow's variables are read from `context.env` only; explicit options win over them.
 */
export function createRestStorePlugin(options: RestStorePluginOptions = {}): StorePlugin {
  const { streamUploads: _uploads, ...forTransport } = options;
  return {
    specificationVersion: 'v1',
    name: 'rest',
    handles: (uri) => isHttp(uri) || /^mlflow-artifacts:/iu.test(uri),
    openTracking: (uri, context) =>
      createRestTrackingStore({ ...transportOptions(forTransport, context), baseUrl: serverOf(uri) }),
    openRegistry: (uri, context) =>
      createRestRegistryStore({ ...transportOptions(forTransport, context), baseUrl: serverOf(uri) }),
    openArtifacts: (uri, context) => {
      const store = openRestArtifactStore(uri, {
        ...transportOptions(options, context),
        ...(context.trackingUri === undefined ? {} : { trackingUri: context.trackingUri }),
      });
      if (store !== undefined) return store;
      throw invalidParameter(
        isHttp(uri)
          ? `'${uri}' is not under a tracking server's artifact proxy (/api/2.0/mlflow-artifacts/artifacts)`
          : `'${uri}' names no server, and no http(s):// tracking URI was given to resolve it against`,
        { field: 'artifact_uri' },
      );
    },
  };
}

/** {@link createRestStorePlugin} with no options: auth and retry settings come from `context.env`. */
export const restStorePlugin: StorePlugin = createRestStorePlugin();
