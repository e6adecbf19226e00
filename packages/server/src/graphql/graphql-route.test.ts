import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryServer } from '../test-helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

/** POSTs a body to /graphql as JSON and returns status and parsed answer. */
async function graphql(body: unknown, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

const echo = 'query testQuery { test(inputString: "abc") { output } }';

describe('POST /graphql', () => {
  it("runs a query and answers MLflow's {data, errors} with errors null", async () => {
    app = memoryServer();
    const answer = await graphql({ query: echo, operationName: 'testQuery' });
    expect(answer).toEqual({ status: 200, body: { data: { test: { output: 'abc' } }, errors: null } });
  });

  it("takes variables, the operation to run among several, and the UI's @component directive", async () => {
    app = memoryServer();
    const answer = await graphql({
      query: `
        query first @component(name: "MLflow.Test") { test(inputString: "one") { output } }
        mutation second($text: String) { testMutation(inputString: $text) { output } }`,
      variables: { text: 'two' },
      operationName: 'second',
    });
    expect(answer.body).toEqual({ data: { testMutation: { output: 'two' } }, errors: null });
  });

  it('answers a syntax error and a validation error as GraphQL errors in a 200, with data null', async () => {
    app = memoryServer();
    const syntax = await graphql({ query: 'query {' });
    expect(syntax.status).toBe(200);
    expect(syntax.body.data).toBeNull();
    expect((syntax.body.errors as string[])[0]).toContain('Syntax Error');
    const unknown = await graphql({
      query: 'query q { mlflowGetExperiment(input: {experimentId: "0"}) { nope } }',
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({
      data: null,
      errors: ['Cannot query field "nope" on type "MlflowGetExperimentResponse".'],
    });
  });

  it.each([
    [
      'root fields',
      `query q { ${Array.from({ length: 12 }, (_, index) => `k${index}: test(inputString: "a") { output }`).join(' ')} }`,
      'GraphQL queries should have at most 10 root fields, got 12 root fields.',
    ],
    [
      'aliases',
      `query q { mlflowGetExperiment(input: {experimentId: "123"}) { ${Array.from({ length: 12 }, (_, index) => `e${index}: experiment { name }`).join(' ')} } }`,
      'GraphQL queries should have at most 10 aliases, got 12 aliases.',
    ],
    [
      'depth',
      `query q { mlflowGetExperiment(input: {experimentId: "123"}) { experiment { ${'name { '.repeat(12)}name${' }'.repeat(12)} } } }`,
      'Query exceeds maximum depth of 10',
    ],
    [
      'selections',
      `query q { mlflowGetExperiment(input: {experimentId: "123"}) { experiment { ${Array.from({ length: 1002 }, (_, index) => `field_${index} { name }`).join(' ')} } } }`,
      'Query exceeds maximum total selections of 1000',
    ],
  ])("refuses a query past MLflow's limit on %s, unrun, in a 200", async (_limit, query, message) => {
    app = memoryServer();
    expect(await graphql({ query })).toEqual({ status: 200, body: { data: null, errors: [message] } });
  });

  it('refuses a batch (a JSON array of operations) with 400 INVALID_PARAMETER_VALUE, running none', async () => {
    app = memoryServer();
    const answer = await graphql([{ query: echo }, { query: echo }]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(answer.body.message).toContain('GraphQL batching is not supported');
  });

  it.each([
    ['no query', {}, "Missing value for required parameter 'query'"],
    ['a query that is not a string', { query: 42 }, "Missing value for required parameter 'query'"],
    [
      'variables that are not an object',
      { query: echo, variables: [1] },
      "Invalid value for parameter 'variables'",
    ],
    ['an operationName that is not a string', { query: echo, operationName: 3 }, "parameter 'operationName'"],
    ['a body that is not an object', 42, 'must be a JSON object'],
  ])('refuses %s with 400 INVALID_PARAMETER_VALUE', async (_why, body, message) => {
    app = memoryServer();
    const answer = await graphql(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(answer.body.message).toContain(message);
  });

  it('refuses a text/plain POST, which a browser sends cross-site without a CORS preflight', async () => {
    app = memoryServer();
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ query: echo }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });
});

describe('GET /graphql', () => {
  it('takes query, variables (JSON) and operationName from the query string', async () => {
    app = memoryServer();
    const search = new URLSearchParams({
      query: 'query q($text: String) { test(inputString: $text) { output } }',
      variables: JSON.stringify({ text: 'via get' }),
      operationName: 'q',
    });
    const response = await app.inject({ method: 'GET', url: `/graphql?${search}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ data: { test: { output: 'via get' } }, errors: null });
  });

  it('refuses variables that are not JSON with 400', async () => {
    app = memoryServer();
    const search = new URLSearchParams({ query: echo, variables: '{oops' });
    const response = await app.inject({ method: 'GET', url: `/graphql?${search}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });
});

it('is served at /graphql and /ajax-api/graphql', async () => {
  app = memoryServer();
  for (const url of ['/graphql', '/ajax-api/graphql']) {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: echo }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ errors: null });
  }
});
