import { createMemoryArtifactStore, createMemoryTrackingStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { type CreateServerOptions, createServer } from './create-server.js';

let counter = 0;

/** A server over fresh memory stores, with artifacts proxied at `mlflow-artifacts:/`. */
export function memoryServer(options: Partial<CreateServerOptions> = {}): FastifyInstance {
  counter += 1;
  return createServer({
    trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
    artifactStore: createMemoryArtifactStore({ rootUri: `memory://server-test/${counter}` }),
    ...options,
  });
}

/** POSTs JSON and returns status and parsed body. */
export async function post(app: FastifyInstance, url: string, body: unknown) {
  const response = await app.inject({ method: 'POST', url, payload: body as object });
  return {
    status: response.statusCode,
    body: response.json() as Record<string, unknown>,
    raw: response.body,
  };
}

/** GETs and returns status and parsed body. */
export async function get(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return {
    status: response.statusCode,
    body: response.json() as Record<string, unknown>,
    raw: response.body,
  };
}

/**
 * Artifact paths a query parameter (`path=`) must refuse with MLflow's "Invalid path": MLflow's own regression
 * strings (shared/reference/security.md) and encoded, Windows and URI variants.
 */
export const traversalQueryPaths = [
  '../path',
  './../path',
  'path/../to/file',
  '/etc/passwd',
  '/etc/passwd%00.jpg',
  '/file://etc/passwd',
  '%2E%2E%2F%2E%2E%2Fpath',
  '%252E%252E%252Fpath',
  'a\\..\\b',
  'C:/Windows/win.ini',
  'file:///etc/passwd',
] as const;
