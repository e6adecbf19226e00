import {
  type ArtifactBody,
  type ArtifactStore,
  doesNotExist,
  type FileInfo,
  normaliseArtifactPath,
} from '@cairn/core';
import { listArtifactsResponse } from '@cairn/core/wire';
import { parseWireResponse } from './parse-wire-response.js';
import { errorFromResponse, type RestTransport } from './rest-transport.js';

/** Where a tracking server serves its artifact proxy. */
export const artifactProxyPath = '/api/2.0/mlflow-artifacts/artifacts';

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');
const join = (...parts: string[]) => parts.filter((part) => part !== '').join('/');

/**
 * A web stream that pulls one chunk at a time from an async iterable (a Node Readable, a generator), so
 * nothing is read ahead of what the upload sends; cancelling the stream ends the iterable.
 */
function streamOf(body: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body as ReadableStream<Uint8Array>;
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A response body as an async iterable (not every browser iterates web streams yet); stopping early cancels it. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Collects a stream into a Blob (which browsers may keep on disk), for runtimes that cannot stream uploads. */
async function blobOf(body: AsyncIterable<Uint8Array>): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of body) parts.push(chunk as Uint8Array<ArrayBuffer>);
  return new Blob(parts);
}

/**
 * Browsers send a streamed request body only over HTTP/2 or QUIC (Chromium refuses it over HTTP/1.1), so
 * by default only Node-like runtimes stream; elsewhere a streamed body is collected first.
 */
const canStreamUploads = () =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

async function requestBody(
  body: ArtifactBody,
  stream: boolean,
): Promise<{ body: BodyInit; replayable: boolean }> {
  if (typeof body === 'string') return { body, replayable: true };
  if (body instanceof Uint8Array) return { body: body as Uint8Array<ArrayBuffer>, replayable: true };
  if (!stream) return { body: await blobOf(body), replayable: true };
  // A stream can be sent only once, so it is not retried.
  return { body: streamOf(body), replayable: false };
}

/** Options of {@link createRestArtifactStore}. */
export interface RestArtifactStoreOptions {
  transport: RestTransport;
  /** The store's root inside the server's artifact proxy, e.g. `1/<run id>/artifacts`. */
  prefix: string;
  /** The artifact URI the store is rooted at (reported as `rootUri`). */
  rootUri: string;
  /**
   * Send streamed bodies as a stream (true) or collect them into a Blob first (false). Default: true in
   * Node, false in browsers, which stream request bodies only over HTTP/2.
   */
  streamUploads?: boolean;
}

/** An ArtifactStore over a tracking server's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts`). */
export function createRestArtifactStore(options: RestArtifactStoreOptions): ArtifactStore {
  const { transport } = options;
  const streamUploads = options.streamUploads ?? canStreamUploads();
  const prefix = normaliseArtifactPath(options.prefix, 'artifact_uri');
  const fileUrl = (path: string) =>
    `${transport.baseUrl}${artifactProxyPath}/${encodePath(join(prefix, normaliseArtifactPath(path)))}`;

  const list = async (path = ''): Promise<FileInfo[]> => {
    const relative = normaliseArtifactPath(path);
    const response = parseWireResponse(
      listArtifactsResponse,
      await transport.json('GET', artifactProxyPath, { path: join(prefix, relative) }),
      `GET ${artifactProxyPath}`,
    );
    return response.files
      .map((file) => ({ ...file, path: join(relative, file.path) }))
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  };

  return {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: false, multipartUpload: false, serverSideCopy: false },
    rootUri: options.rootUri,
    put: async (path, body) => {
      const url = fileUrl(path);
      const { body: payload, replayable } = await requestBody(body, streamUploads);
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
      return chunksOf(response.body);
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
