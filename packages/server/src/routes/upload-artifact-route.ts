import { type ArtifactStore, CairnError, invalidParameter, type TrackingStore } from '@cairn/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { artifactPathParam } from './artifact-path-param.js';

/** The largest file the UI may upload into a run, as in MLflow's `upload_artifact_handler`. */
export const uploadArtifactMaxBytes = 10 * 1024 * 1024;

const tooLarge = () =>
  invalidParameter('Artifact size is too large. Max size is 10MB.', {
    field: 'data',
    limit: uploadArtifactMaxBytes,
  });

/** The first value of a query parameter (a repeated key counts once, as Flask's `args.get`). */
function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Reads the body into memory, failing as soon as it passes the limit (a chunked body has no Content-Length). */
async function readBody(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    if (size > uploadArtifactMaxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * True when a browser sent the request from a page of another origin. The body is raw bytes of any type,
 * so unlike the JSON RPCs a cross-site form or `fetch` could send it without a CORS preflight; browsers
 * always name the page's origin on such a POST, and non-browser clients send none.
 */
function isCrossOrigin(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return false;
  try {
    const page = new URL(origin);
    // The Host read with the page's scheme, so default ports compare equal (`http://a` and `a:80`).
    return new URL(`${page.protocol}//${request.headers.host ?? ''}`).host !== page.host;
  } catch {
    return true;
  }
}

/**
 * Registers `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=<id>&path=<path>`: the UI writes one file
 * (the raw body, at most 10 MB) into a run's artifacts, with MLflow's checks and messages in MLflow's order.
 * It answers 200 with an empty body, as MLflow does. `allowedOrigins` are the CORS origins that may call it.
 */
export function registerUploadArtifactRoute(
  app: FastifyInstance,
  store: TrackingStore,
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>,
  allowedOrigins: readonly string[],
): void {
  void app.register(async (scope) => {
    // Any content type is a file's bytes; the handler reads them itself, under its own limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post('/ajax-api/2.0/mlflow/upload-artifact', async (request, reply) => {
      if (isCrossOrigin(request, allowedOrigins)) {
        throw new CairnError('PERMISSION_DENIED', 'Cross-origin request blocked', {
          details: { field: 'origin' },
        });
      }
      // MLflow's UI sends run_uuid; newer MLflow servers also take run_id.
      const runId = queryParam(request, 'run_uuid') || queryParam(request, 'run_id');
      if (!runId) {
        throw invalidParameter('Request must specify run_uuid. (run_id is accepted too.)', {
          field: 'run_uuid',
        });
      }
      const rawPath = queryParam(request, 'path');
      if (!rawPath) throw invalidParameter('Request must specify path.', { field: 'path' });
      const path = artifactPathParam(rawPath, 'path');
      // `.` or `a//` normalise to the run's root, which is a directory, not a file name.
      if (path === '') throw invalidParameter('Invalid path', { field: 'path', reason: 'it names no file' });
      if (Number(request.headers['content-length'] ?? 0) > uploadArtifactMaxBytes) throw tooLarge();
      const data = await readBody(request.body as AsyncIterable<Uint8Array> | undefined);
      if (data.byteLength === 0) throw invalidParameter('Request must specify data.', { field: 'data' });
      const run = await store.getRun(runId);
      await (await openArtifacts(run.info.artifact_uri)).put(path, data);
      return reply.code(200).type('application/json').send('');
    });
  });
}
