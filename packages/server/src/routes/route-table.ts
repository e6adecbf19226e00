import { Readable } from 'node:stream';
import { invalidParameter } from '@cairn/core';
import { toWireJson } from '@cairn/core/wire';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import { requestError } from '../wire/request-error.js';

/** The prefixes every MLflow RPC is served under: the REST API and the one the MLflow UI calls. */
export const apiPrefixes = ['/api/2.0', '/ajax-api/2.0'] as const;

/** One documented endpoint, for the OpenAPI document. */
export interface RouteDoc {
  method: HTTPMethods;
  /** Path under the API prefix, e.g. `/mlflow/runs/create`. */
  path: string;
  /** The prefix it is documented under when not `/api/2.0` (a UI-only RPC). */
  prefix?: string;
  summary: string;
  request?: z.ZodType;
}

/** Where route modules register their JSON RPCs; it also remembers them for the OpenAPI document. */
export interface RouteTable {
  /**
   * Registers a JSON RPC under every API prefix. A handler answers the body as an object, or as a Readable
   * of JSON text that is streamed as it comes (answers too large to build whole).
   */
  rpc<Schema extends z.ZodType>(
    definition: {
      methods: HTTPMethods[];
      path: string;
      summary: string;
      request: Schema;
      /** Largest accepted body in bytes (default: the server's JSON limit). */
      bodyLimit?: number;
      /** The prefixes it is served under (default {@link apiPrefixes}); MLflow serves a few UI RPCs under `/ajax-api/2.0` only. */
      prefixes?: readonly string[];
    },
    handler: (input: z.output<Schema>, request: FastifyRequest) => Promise<unknown>,
  ): void;
  /** Records a route registered by other means (raw artifact routes). */
  document(doc: RouteDoc): void;
  readonly docs: readonly RouteDoc[];
}

/** A body's top-level fields without the null ones: protobuf's JSON parser reads a null field as absent. */
function withoutNullFields(body: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/** Parses a request with a schema: the query string for GET (and bodiless DELETE), else the JSON body. */
export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  request: FastifyRequest,
): z.output<Schema> {
  const source =
    request.method === 'GET' || request.body === undefined || request.body === null
      ? (request.query ?? {})
      : request.body;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw invalidParameter('The request body must be a JSON object', { field: 'body' });
  }
  const result = schema.safeParse(withoutNullFields(source));
  if (!result.success) throw requestError(result.error, source);
  return result.data;
}

/** Sends a JSON body as MLflow does (NaN as "NaN"). */
export function sendJson(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(toWireJson(body ?? {}));
}

/** Builds the route table over a Fastify instance. */
export function createRouteTable(app: FastifyInstance, jsonBodyLimit: number): RouteTable {
  const docs: RouteDoc[] = [];
  return {
    docs,
    document: (doc) => {
      docs.push(doc);
    },
    rpc: (definition, handler) => {
      for (const method of definition.methods) {
        const prefix =
          definition.prefixes?.includes(apiPrefixes[0]) === false ? definition.prefixes[0] : undefined;
        docs.push({
          method,
          path: definition.path,
          summary: definition.summary,
          request: definition.request,
          ...(prefix === undefined ? {} : { prefix }),
        });
      }
      for (const prefix of definition.prefixes ?? apiPrefixes) {
        app.route({
          method: definition.methods,
          url: `${prefix}${definition.path}`,
          bodyLimit: definition.bodyLimit ?? jsonBodyLimit,
          config: { json: true },
          handler: async (request, reply) => {
            const input = parseRequest(definition.request, request);
            const body = await handler(input, request);
            return body instanceof Readable
              ? reply.type('application/json').send(body)
              : sendJson(reply, body);
          },
        });
      }
    },
  };
}

/** The run a request names, by `run_id` or `run_uuid`. */
export function runIdOf(input: { run_id?: string | undefined; run_uuid?: string | undefined }): string {
  const runId = input.run_id || input.run_uuid;
  if (!runId) {
    throw invalidParameter(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
      { field: 'run_id' },
    );
  }
  return runId;
}
