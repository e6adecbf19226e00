import { Readable } from 'node:stream';
import {
  type ArtifactStore,
  CairnError,
  doesNotExist,
  invalidParameter,
  normaliseArtifactPath,
} from '@cairn/core';
import {
  abortMultipartUploadRequest,
  completeMultipartUploadRequest,
  createMultipartUploadRequest,
  listProxiedArtifactsRequest,
} from '@cairn/core/wire';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import mime from 'mime-types';
import { toWireFileInfo } from '../wire/wire-file-info.js';
import { multipartFileName } from './multipart-file-name.js';
import { apiPrefixes, parseRequest, type RouteTable, sendJson } from './route-table.js';

/** What MLflow answers when the store cannot do multipart; the official client falls back to a PUT on it. */
export const multipartUnsupportedMessage =
  'Multipart upload is not supported for the current artifact repository';

const proxiedRoute =
  /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/(?:artifacts|mpu\/(?:create|complete|abort))\//u;

/**
 * The artifact path a proxy URL names, normalised and confined. The raw (still encoded) path is checked
 * first: an encoded `/`, `\` or NUL, however many times encoded, is refused before any decoding.
 */
export function proxiedArtifactPath(request: FastifyRequest): string {
  const raw = (request.url.split('?')[0] ?? '').replace(proxiedRoute, '');
  if (/%(?:25)*(?:2f|5c|00)/iu.test(raw)) {
    throw invalidParameter(`Invalid artifact path '${raw}': encoded path separators are not allowed`, {
      field: 'path',
    });
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalidParameter(`Invalid artifact path '${raw}': malformed percent-encoding`, { field: 'path' });
  }
  const path = normaliseArtifactPath(decoded, 'path');
  if (path === '') throw invalidParameter('The artifact path must name a file', { field: 'path' });
  return path;
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** `attachment; filename=x` as MLflow sends it, or the RFC 6266 `filename*` form for names HTTP can't carry raw. */
export function contentDisposition(name: string): string {
  if (/^[\x21-\x7e ]*$/u.test(name) && !/[";\\]/u.test(name)) return `attachment; filename=${name}`;
  const encoded = encodeURIComponent(name).replace(
    /['()*]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename*=UTF-8''${encoded}`;
}

/** Registers the raw-bytes routes of the artifact proxy (`/mlflow-artifacts/artifacts/<path>`). */
async function rawArtifactRoutes(app: FastifyInstance, store: ArtifactStore): Promise<void> {
  // Uploads are raw bytes of any content type, handed to the store as a stream and never buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  for (const prefix of apiPrefixes) {
    const base = `${prefix}/mlflow-artifacts/artifacts`;
    app.get(`${base}/*`, async (request, reply) => {
      const path = proxiedArtifactPath(request);
      // No stat first: get() answers RESOURCE_DOES_NOT_EXIST for a missing file or a directory itself, and
      // on S3 a stat is two more requests per file (HEAD and a listing). The store's own message names its
      // root (a server path or bucket), which the proxy does not hand out.
      let bytes: AsyncIterable<Uint8Array>;
      try {
        bytes = await store.get(path);
      } catch (error) {
        if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST')
          throw doesNotExist(`No artifact file at '${path}'`, { field: 'path' });
        throw error;
      }
      const name = basename(path);
      reply
        .type(mime.lookup(name) || 'application/octet-stream')
        .header('Content-Disposition', contentDisposition(name))
        .header('X-Content-Type-Options', 'nosniff');
      // No Content-Length: with it set on a file stream, Node kept the keep-alive socket busy after the
      // response and close() waited for the client's idle timeout. Chunked encoding streams just as well.
      return reply.send(bytes instanceof Readable ? bytes : Readable.from(bytes));
    });
    app.put(`${base}/*`, async (request, reply) => {
      const path = proxiedArtifactPath(request);
      const body = request.body as AsyncIterable<Uint8Array> | undefined;
      await store.put(path, body ?? new Uint8Array());
      return sendJson(reply, {});
    });
    app.delete(`${base}/*`, async (request, reply) => {
      await store.delete(proxiedArtifactPath(request));
      return sendJson(reply, {});
    });
    app.get(base, async (request, reply) => {
      const input = parseRequest(listProxiedArtifactsRequest, request);
      const path = normaliseArtifactPath(input.path, 'path');
      const files = (await store.list(path)).map((info) =>
        toWireFileInfo({ ...info, path: basename(info.path) }),
      );
      // MLflow omits an empty list, so a missing directory answers `{}` (register_model probes for it).
      return sendJson(reply, files.length === 0 ? {} : { files });
    });
  }
}

/**
 * The store path a multipart request writes: as in MLflow, the URL names the directory and the body's
 * `path` the file (only its name counts).
 */
const multipartTarget = (request: FastifyRequest, path: string) =>
  `${proxiedArtifactPath(request)}/${multipartFileName(path)}`;

/** Registers the artifact proxy: raw file routes and the multipart RPCs. */
export function registerArtifactProxyRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  store: ArtifactStore,
): void {
  for (const [method, summary] of [
    ['GET', 'Download a proxied artifact file (raw bytes)'],
    ['PUT', 'Upload a proxied artifact file (raw bytes, streamed)'],
    ['DELETE', 'Delete a proxied artifact file or directory'],
  ] as const) {
    routes.document({ method, path: '/mlflow-artifacts/artifacts/{path}', summary });
  }
  routes.document({
    method: 'GET',
    path: '/mlflow-artifacts/artifacts',
    summary: 'List a proxied artifact directory (basenames; {} when missing)',
    request: listProxiedArtifactsRequest,
  });
  void app.register(async (scope) => rawArtifactRoutes(scope, store));

  const unsupported = () => new CairnError('NOT_IMPLEMENTED', multipartUnsupportedMessage);
  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow-artifacts/mpu/create/*',
      summary: 'Start a multipart upload (501 unless the store supports it)',
      request: createMultipartUploadRequest,
    },
    async (input, request) => {
      const path = multipartTarget(request, input.path);
      if (!store.capabilities.multipartUpload || !store.createMultipartUpload) throw unsupported();
      const upload = await store.createMultipartUpload(path, input.num_parts ?? 1);
      return {
        upload_id: upload.uploadId,
        credentials: upload.parts.map((part) => ({
          url: part.url,
          part_number: part.partNumber,
          headers: part.headers,
        })),
      };
    },
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow-artifacts/mpu/complete/*',
      summary: 'Complete a multipart upload',
      request: completeMultipartUploadRequest,
    },
    async (input, request) => {
      const path = multipartTarget(request, input.path);
      if (!store.capabilities.multipartUpload || !store.completeMultipartUpload) throw unsupported();
      await store.completeMultipartUpload(
        path,
        input.upload_id,
        input.parts.map((part) => ({ partNumber: part.part_number, etag: part.etag })),
      );
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow-artifacts/mpu/abort/*',
      summary: 'Abort a multipart upload',
      request: abortMultipartUploadRequest,
    },
    async (input, request) => {
      const path = multipartTarget(request, input.path);
      if (!store.capabilities.multipartUpload || !store.abortMultipartUpload) throw unsupported();
      await store.abortMultipartUpload(path, input.upload_id);
      return {};
    },
  );
}
