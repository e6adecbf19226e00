import { z } from 'zod';
import { apiPrefixes, type RouteDoc } from './routes/route-table.js';

/** The OpenAPI 3.1 document of the server, generated from the zod request schemas of its routes. */
export function buildOpenApiDocument(docs: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    // Fastify's `:name` path parameters are OpenAPI's `{name}`.
    const url = `${doc.prefix ?? apiPrefixes[0]}${doc.path.replace(/\*$/u, '{path}').replace(/:(\w+)/gu, '{$1}')}`;
    const schema =
      doc.request === undefined
        ? undefined
        : z.toJSONSchema(doc.request, { io: 'input', unrepresentable: 'any' });
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      responses: {
        '200': { description: 'Success (a JSON object; `{}` when there is nothing to return)' },
        default: {
          description: 'An MLflow error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
    const pathParameters = [...doc.path.matchAll(/:(\w+)/gu)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (pathParameters.length > 0) operation.parameters = pathParameters;
    if (schema !== undefined) {
      delete schema.$schema;
      if (doc.method === 'GET') {
        const properties = (schema.properties ?? {}) as Record<string, unknown>;
        const required = new Set((schema.required as string[] | undefined) ?? []);
        operation.parameters = [
          ...pathParameters,
          ...Object.entries(properties)
            .filter(([name]) => !pathParameters.some((parameter) => parameter.name === name))
            .map(([name, property]) => ({
              name,
              in: 'query',
              required: required.has(name),
              schema: property,
            })),
        ];
      } else {
        operation.requestBody = { required: true, content: { 'application/json': { schema } } };
      }
    }
    paths[url] ??= {};
    (paths[url] as Record<string, unknown>)[doc.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cairn tracking server',
      version,
      description: `MLflow's REST API. Every path is also served under ${apiPrefixes[1]}.`,
    },
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          properties: { error_code: { type: 'string' }, message: { type: 'string' } },
          required: ['error_code', 'message'],
        },
      },
    },
  };
}
