import {
  type ArtifactStore,
  type ArtifactStoreResolver,
  parseTrackingUri,
  type StoreEnvironment,
} from '@cairn/core';
import { artifactProxyPath, createRestArtifactStore } from './rest-artifact-store.js';
import { createRestTransport, type RestTransportOptions } from './rest-transport.js';

/** Options of {@link createRestArtifactResolver}: the transport's, with the server optional. */
export interface RestArtifactResolverOptions extends Omit<RestTransportOptions, 'baseUrl'> {
  /**
   * The tracking server host-less `mlflow-artifacts:/...` URIs refer to, as MLflow resolves them against the
   * current tracking URI; default `env.MLFLOW_TRACKING_URI` when it is an `http(s)://` URI.
   */
  trackingUri?: string;
  /** Stream upload bodies (default in Node) or collect them first (default in browsers); see createRestArtifactStore. */
  streamUploads?: boolean;
}

function httpServer(uri: string | undefined): string | undefined {
  if (uri === undefined || uri === '') return undefined;
  const parsed = parseTrackingUri(uri);
  return parsed.kind === 'http' ? parsed.url.replace(/\/+$/u, '') : undefined;
}

/**
 * Opens the store for an `mlflow-artifacts:` URI or an `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`
 * URI, or returns undefined for any other URI (and for a host-less `mlflow-artifacts:` URI when no tracking
 * server is known). A URI with a host is served by that host, with the tracking URI's scheme (http when
 * there is none), as MLflow does.
 */
export function openRestArtifactStore(
  artifactUri: string,
  options: RestArtifactResolverOptions,
): ArtifactStore | undefined {
  const { trackingUri, streamUploads, ...transportOptions } = options;
  const uploads = streamUploads === undefined ? {} : { streamUploads };
  const env: StoreEnvironment = options.env ?? {};
  const tracking = httpServer(trackingUri) ?? httpServer(env.MLFLOW_TRACKING_URI);
  const proxied = /^mlflow-artifacts:(?:\/\/([^/]+))?(\/.*)?$/iu.exec(artifactUri);
  if (proxied !== null) {
    const scheme = tracking?.startsWith('https:') ? 'https' : 'http';
    const baseUrl = proxied[1] ? `${scheme}://${proxied[1]}` : tracking;
    if (baseUrl === undefined) return undefined;
    return createRestArtifactStore({
      transport: createRestTransport({ ...transportOptions, baseUrl }),
      prefix: (proxied[2] ?? '').replace(/^\/+/u, ''),
      rootUri: artifactUri,
      ...uploads,
    });
  }
  const http = /^(https?:\/\/[^/]+)(\/.*)$/iu.exec(artifactUri);
  const proxyAt = http?.[2]?.indexOf(artifactProxyPath) ?? -1;
  if (http === null || proxyAt !== 0) return undefined;
  return createRestArtifactStore({
    transport: createRestTransport({ ...transportOptions, baseUrl: http[1] as string }),
    prefix: decodeURIComponent((http[2] as string).slice(artifactProxyPath.length).replace(/^\/+/u, '')),
    rootUri: artifactUri,
    ...uploads,
  });
}

/**
 * An ArtifactStoreResolver over tracking servers' artifact proxies (see {@link openRestArtifactStore}). It
 * holds no state beyond its options: two resolvers for two servers never share a server.
 */
export function createRestArtifactResolver(options: RestArtifactResolverOptions = {}): ArtifactStoreResolver {
  return (artifactUri) => openRestArtifactStore(artifactUri, options);
}
