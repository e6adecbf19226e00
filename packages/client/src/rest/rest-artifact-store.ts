import { Readable } from 'node:stream';
import {
  type ArtifactBody,
  type ArtifactStore,
  type ArtifactStoreResolver,
  doesNotExist,
  type FileInfo,
  normaliseArtifactPath,
  parseTrackingUri,
} from '@cairn/core';
import { createRestTransport, errorFromResponse, type RestTransport } from './rest-transport.js';

/** Where a tracking server serves its artifact proxy. */
export const artifactProxyPath = '/api/2.0/mlflow-artifacts/artifacts';

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');
const join = (...parts: string[]) => parts.filter((part) => part !== '').join('/');

function requestBody(body: ArtifactBody): { body: BodyInit; replayable: boolean } {
  if (typeof body === 'string') return { body, replayable: true };
  if (body instanceof Uint8Array) return { body: body as Uint8Array<ArrayBuffer>, replayable: true };
  // A stream can be sent only once, so it is not retried.
  return { body: Readable.toWeb(Readable.from(body)) as ReadableStream<Uint8Array>, replayable: false };
}

/** Options of {@link createRestArtifactStore}. */
export interface RestArtifactStoreOptions {
  transport: RestTransport;
  /** The store's root inside the server's artifact proxy, e.g. `1/<run id>/artifacts`. */
  prefix: string;
  /** The artifact URI the store is rooted at (reported as `rootUri`). */
  rootUri: string;
}

/** An ArtifactStore over a tracking server's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts`). */
export function createRestArtifactStore(options: RestArtifactStoreOptions): ArtifactStore {
  const { transport } = options;
  const prefix = normaliseArtifactPath(options.prefix, 'artifact_uri');
  const fileUrl = (path: string) =>
    `${transport.baseUrl}${artifactProxyPath}/${encodePath(join(prefix, normaliseArtifactPath(path)))}`;

  const list = async (path = ''): Promise<FileInfo[]> => {
    const relative = normaliseArtifactPath(path);
    const response = (await transport.json('GET', artifactProxyPath, { path: join(prefix, relative) })) as {
      files?: FileInfo[];
    };
    return (
      (response.files ?? [])
        // MLflow's proto JSON drops a zero file_size: a file listed without one is empty.
        .map((file) => ({
          ...file,
          path: join(relative, file.path),
          ...(file.is_dir ? {} : { file_size: file.file_size ?? 0 }),
        }))
        .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0))
    );
  };

  return {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: false, multipartUpload: false, serverSideCopy: false },
    rootUri: options.rootUri,
    put: async (path, body) => {
      const url = fileUrl(path);
      const { body: payload, replayable } = requestBody(body);
      const response = await transport.raw(url, {
        method: 'PUT',
        body: payload,
        headers: { 'Content-Type': 'application/octet-stream' },
        replayable,
        // A streamed body goes out once. fetch otherwise works on a clone of the request (to follow
        // redirects), and the clone's tee keeps every chunk sent in memory until the upload ends: a 1 GB
        // file held 1 GB of RSS. `window: null` with `redirect: 'error'` makes fetch send the request as it
        // is; a redirect could not replay a stream anyway.
        ...(replayable ? {} : { duplex: 'half', redirect: 'error', window: null }),
      } as RequestInit & { replayable: boolean });
      if (!response.ok) throw await errorFromResponse(response, `PUT ${url}`);
      await response.body?.cancel();
    },
    get: async (path) => {
      const url = fileUrl(path);
      const response = await transport.raw(url, { method: 'GET', replayable: true });
      if (response.status === 404) {
        await response.body?.cancel();
        throw doesNotExist(`No artifact file at '${path}' under ${options.rootUri}`, { field: 'path' });
      }
      if (!response.ok || response.body === null) throw await errorFromResponse(response, `GET ${url}`);
      return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    },
    stat: async (path) => {
      const relative = normaliseArtifactPath(path);
      if (relative === '') return { path: '', is_dir: true };
      const slash = relative.lastIndexOf('/');
      const parent = slash === -1 ? '' : relative.slice(0, slash);
      return (await list(parent)).find((file) => file.path === relative);
    },
    list,
    delete: async (path) => {
      const url = fileUrl(path);
      const response = await transport.raw(url, { method: 'DELETE', replayable: true });
      if (!response.ok && response.status !== 404) throw await errorFromResponse(response, `DELETE ${url}`);
      await response.body?.cancel();
    },
  };
}

// The server that host-less `mlflow-artifacts:/...` URIs refer to: MLflow resolves them against the current
// tracking URI, so the most recently opened REST tracking store sets it (MLFLOW_TRACKING_URI otherwise).
let currentTrackingServer: string | undefined;

/** Records the tracking server that host-less `mlflow-artifacts:` URIs resolve against. */
export function setArtifactProxyServer(baseUrl: string): void {
  currentTrackingServer = baseUrl.replace(/\/+$/u, '');
}

function serverFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri) return undefined;
  const parsed = parseTrackingUri(uri);
  return parsed.kind === 'http' ? parsed.url : undefined;
}

/**
 * Opens artifact stores over a tracking server's proxy for `mlflow-artifacts:` URIs (with a host, or
 * resolved against the current tracking server) and for `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`
 * URIs. Other URIs are left to other resolvers.
 */
export function createRestArtifactResolver(
  options: { baseUrl?: string; env?: NodeJS.ProcessEnv } = {},
): ArtifactStoreResolver {
  const env = options.env ?? process.env;
  return (artifactUri) => {
    const proxied = /^mlflow-artifacts:(?:\/\/([^/]+))?(\/.*)?$/iu.exec(artifactUri);
    if (proxied !== null) {
      const baseUrl = proxied[1]
        ? `http://${proxied[1]}`
        : (options.baseUrl ?? currentTrackingServer ?? serverFromEnv(env));
      if (baseUrl === undefined) return undefined;
      return createRestArtifactStore({
        transport: createRestTransport({ baseUrl, env }),
        prefix: (proxied[2] ?? '').replace(/^\/+/u, ''),
        rootUri: artifactUri,
      });
    }
    const http = /^(https?:\/\/[^/]+)(\/.*)$/iu.exec(artifactUri);
    const proxyAt = http?.[2]?.indexOf(artifactProxyPath) ?? -1;
    if (http === null || proxyAt !== 0) return undefined;
    return createRestArtifactStore({
      transport: createRestTransport({ baseUrl: http[1] as string, env }),
      prefix: decodeURIComponent((http[2] as string).slice(artifactProxyPath.length).replace(/^\/+/u, '')),
      rootUri: artifactUri,
    });
  };
}

/** The default REST artifact resolver (host-less URIs go to the current tracking server). */
export const restArtifactResolver: ArtifactStoreResolver = createRestArtifactResolver();
