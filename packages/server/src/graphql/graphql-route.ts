import { CairnError, invalidParameter } from '@cairn/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type DocumentNode, execute, GraphQLError, parse, validate } from 'graphql';
import { createGraphqlContext, type GraphqlStores } from './graphql-context.js';
import { checkGraphqlQueryLimits } from './graphql-query-limits.js';
import { createMlflowFieldResolver } from './mlflow-field-resolver.js';
import { mlflowGraphqlSchema } from './mlflow-graphql-schema.js';
import { mlflowResolvers } from './mlflow-resolvers.js';

/** One GraphQL operation as a client sends it. */
interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** MLflow's GraphQL answer: always both keys, and errors as bare messages. */
interface GraphqlAnswer {
  data: unknown;
  errors: string[] | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The operation a request carries: the JSON body of a POST, or `query`, `variables` (JSON) and
 * `operationName` in a GET's query string. A malformed request is an HTTP 400 with MLflow's error body, as
 * for any RPC; problems with the query itself are GraphQL errors in a 200.
 */
function graphqlRequestOf(request: FastifyRequest): GraphqlRequest {
  const raw = request.method === 'GET' ? request.query : request.body;
  if (Array.isArray(raw)) {
    // MLflow's server has no batching either: its limits are per query, and a batch would multiply them.
    throw invalidParameter(
      'GraphQL batching is not supported: send one operation per request, not a JSON array.',
      {
        field: 'body',
      },
    );
  }
  if (!isObject(raw)) throw invalidParameter('The request body must be a JSON object', { field: 'body' });
  const { query, operationName } = raw;
  let { variables } = raw;
  if (typeof query !== 'string' || query.trim() === '') {
    throw invalidParameter("Missing value for required parameter 'query': the GraphQL document to run.", {
      field: 'query',
    });
  }
  if (request.method === 'GET' && typeof variables === 'string' && variables !== '') {
    try {
      variables = JSON.parse(variables) as unknown;
    } catch {
      throw invalidParameter("Invalid value for parameter 'variables': it is not valid JSON.", {
        field: 'variables',
      });
    }
  }
  if (variables !== undefined && variables !== null && variables !== '' && !isObject(variables)) {
    throw invalidParameter("Invalid value for parameter 'variables': it must be a JSON object.", {
      field: 'variables',
    });
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw invalidParameter("Invalid value for parameter 'operationName': it must be a string.", {
      field: 'operationName',
    });
  }
  return {
    query,
    ...(isObject(variables) ? { variables } : {}),
    ...(typeof operationName === 'string' && operationName !== '' ? { operationName } : {}),
  };
}

const fieldResolver = createMlflowFieldResolver(mlflowResolvers);

/** Parses, checks against MLflow's query limits, validates and runs one operation. */
async function runGraphql(
  operation: GraphqlRequest,
  stores: GraphqlStores,
  request: FastifyRequest,
): Promise<GraphqlAnswer> {
  const schema = mlflowGraphqlSchema();
  let document: DocumentNode;
  try {
    document = parse(operation.query);
  } catch (error) {
    if (error instanceof GraphQLError) return { data: null, errors: [error.message] };
    throw error;
  }
  const refused = checkGraphqlQueryLimits(document);
  if (refused !== undefined) return { data: null, errors: [refused] };
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { data: null, errors: invalid.map((error) => error.message) };
  const result = await execute({
    schema,
    document,
    variableValues: operation.variables ?? null,
    operationName: operation.operationName ?? null,
    contextValue: createGraphqlContext(stores),
    fieldResolver,
  });
  for (const error of result.errors ?? []) {
    // A store's CairnError is the expected way for a field to fail; anything else is a bug worth a log line.
    if (error.originalError !== undefined && !CairnError.isInstance(error.originalError)) {
      request.log.error({ err: error.originalError, path: error.path }, 'GraphQL field failed');
    }
  }
  return {
    data: result.data ?? null,
    errors: result.errors === undefined ? null : result.errors.map((error) => error.message),
  };
}

/**
 * Serves MLflow's GraphQL endpoint, `GET` and `POST /graphql` (what MLflow's web UI calls) and `/ajax-api/graphql`, over the
 * server's stores. Answers are MLflow's `{data, errors}` with errors as messages, status 200 for anything the
 * GraphQL layer decides (syntax, validation, query limits, a failing field).
 */
export function registerGraphqlRoutes(app: FastifyInstance, stores: GraphqlStores): void {
  // `/ajax-api/graphql` too, beside the RPCs the UI calls under /ajax-api, for a UI served under that prefix.
  for (const url of ['/graphql', '/ajax-api/graphql']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      // JSON only, as for every RPC: a text/plain POST needs no CORS preflight (CVE-2023-43472).
      config: { json: true },
      handler: async (request, reply) => {
        const answer = await runGraphql(graphqlRequestOf(request), stores, request);
        return reply.type('application/json').send(JSON.stringify(answer));
      },
    });
  }
}
