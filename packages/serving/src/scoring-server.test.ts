import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelUriHeader } from './invocation.js';
import { type RunningScoringServer, serveModel } from './scoring-server.js';
import { createTestModel, type TestModel } from './test-helpers.js';

let server: RunningScoringServer;
let model: TestModel;

const invoke = (body: string, contentType: string | null = 'application/json') =>
  fetch(`${server.url}/invocations`, {
    method: 'POST',
    body,
    headers: contentType === null ? {} : { 'content-type': contentType },
  });

beforeAll(async () => {
  model = createTestModel({ uri: 'file:///models/double' });
  server = await serveModel({
    uri: 'file:///models/double',
    loader: async () => model,
    port: 0,
    maxRequestBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await server.close();
});

describe('scoring server: MLflow protocol', () => {
  it('answers GET /ping and /health with 200 once the model is loaded, /version with the protocol version', async () => {
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('\n');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      model_uri: 'file:///models/double',
      serving: { uri: 'file:///models/double', version: null },
      last_error: null,
    });
    const version = await fetch(`${server.url}/version`);
    expect(await version.text()).toBe('3.18.0');
  });

  it('scores dataframe_split and answers the DataFrame as records, naming the model URI in a header', async () => {
    const response = await invoke(
      JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1], [2.5]] } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/u);
    expect(response.headers.get(modelUriHeader)).toBe('file:///models/double');
    expect(await response.json()).toEqual({ predictions: [{ y: 2 }, { y: 5 }] });
  });

  it('scores dataframe_split with an index and dataframe_records (missing columns read as null)', async () => {
    const split = await invoke(
      JSON.stringify({
        dataframe_split: {
          index: [7, 8],
          columns: ['x', 'z'],
          data: [
            [1, 'a'],
            [3, 'b'],
          ],
        },
      }),
    );
    expect(await split.json()).toEqual({ predictions: [{ y: 2 }, { y: 6 }] });
    const records = await invoke(JSON.stringify({ dataframe_records: [{ x: 4 }, { x: 5, z: 1 }] }));
    expect(records.status).toBe(200);
    expect(await records.json()).toEqual({ predictions: [{ y: 8 }, { y: 10 }] });
  });

  it('scores instances (records and plain lists) and inputs, and passes params to the model', async () => {
    const instances = await invoke(JSON.stringify({ instances: [{ x: 1 }, { x: 2 }] }));
    expect(await instances.json()).toEqual({ predictions: [{ y: 2 }, { y: 4 }] });
    const list = await invoke(JSON.stringify({ instances: [3, 4] }));
    expect(await list.json()).toEqual({ predictions: [{ y: 6 }, { y: 8 }] });
    const inputs = await invoke(JSON.stringify({ inputs: { x: [1, 2] }, params: { scale: 10 } }));
    expect(await inputs.json()).toEqual({ predictions: [{ y: 20 }, { y: 40 }] });
  });

  it('scores text/csv bodies and accepts a charset parameter on either content type', async () => {
    const csv = await invoke('x,label\n1,"a, b"\n2,c\n', 'text/csv; charset=utf-8');
    expect(csv.status).toBe(200);
    expect(await csv.json()).toEqual({ predictions: [{ y: 2 }, { y: 4 }] });
    const json = await invoke(JSON.stringify({ inputs: [5] }), 'application/json; charset=UTF-8');
    expect(await json.json()).toEqual({ predictions: [{ y: 10 }] });
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const response = await invoke('{"dataframe_split": ');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/^Invalid input\. Ensure that input is a valid JSON formatted string/u);
  });

  it('answers no, unknown or several format keys, and a list, with 400 naming the accepted fields', async () => {
    for (const body of [{ data: [1] }, { instances: [1], inputs: [1] }, {}]) {
      const response = await invoke(JSON.stringify(body));
      expect(response.status).toBe(400);
      const error = (await response.json()) as { error_code: string; message: string };
      expect(error.error_code).toBe('BAD_REQUEST');
      expect(error.message).toContain('exactly one of the input fields');
      expect(error.message).toContain("'dataframe_split'");
      expect(error.message).toContain(
        `Received dictionary with input fields: [${Object.keys(body)
          .map((key) => `'${key}'`)
          .join(', ')}]`,
      );
    }
    const list = await invoke(JSON.stringify([{ x: 1 }]));
    expect(list.status).toBe(400);
    expect(((await list.json()) as { message: string }).message).toContain('Received a list');
  });

  it('answers a malformed dataframe_split or dataframe_records with 400 in MLflow words', async () => {
    const notDict = await invoke(JSON.stringify({ dataframe_split: [[1]] }));
    expect(notDict.status).toBe(400);
    expect(((await notDict.json()) as { message: string }).message).toBe(
      'Invalid input. Dataframe split format must be a dictionary. Got list.',
    );
    const extraKey = await invoke(JSON.stringify({ dataframe_split: { data: [[1]], rows: 1 } }));
    expect(((await extraKey.json()) as { message: string }).message).toContain(
      "Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields",
    );
    const ragged = await invoke(JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1, 2]] } }));
    expect(ragged.status).toBe(400);
    const records = await invoke(JSON.stringify({ dataframe_records: { x: 1 } }));
    expect(((await records.json()) as { message: string }).message).toBe(
      'Invalid input. Dataframe records format must be a list of records. Got dictionary.',
    );
  });

  it('answers a signature violation (the caller’s fault) with 400 INVALID_PARAMETER_VALUE', async () => {
    const response = await invoke(JSON.stringify({ dataframe_split: { columns: ['w'], data: [[1]] } }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(body.message).toContain("Model is missing inputs ['x']");
  });

  it('answers a model that throws with 500 and a stack trace, and keeps answering', async () => {
    const response = await invoke(JSON.stringify({ dataframe_records: [{ x: 'boom' }] }));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error_code: string; message: string; stack_trace: string };
    expect(body.error_code).toBe('INTERNAL_ERROR');
    expect(body.message).toContain('the model blew up');
    expect(body.stack_trace).toContain('Error: the model blew up');
    const next = await invoke(JSON.stringify({ inputs: [1] }));
    expect(next.status).toBe(200);
  });

  it('answers unsupported content types, charsets and parameters with 415 in plain text', async () => {
    const xml = await invoke('<x/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(await xml.text()).toBe(
      "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'application/xml'.",
    );
    const latin = await invoke('x\n1\n', 'text/csv; charset=latin-1');
    expect(latin.status).toBe(415);
    expect(await latin.text()).toBe('The scoring server only supports UTF-8');
    const format = await invoke('{}', 'application/json; format=pandas-split');
    expect(format.status).toBe(415);
    expect(await format.text()).toContain('Unrecognized content type parameters: format');
    const none = await invoke('{"inputs": [1]}', 'text/plain');
    expect(none.status).toBe(415);
  });

  it('answers a malformed CSV with 400 BAD_REQUEST', async () => {
    const response = await invoke('x,y\n1,2\n3\n', 'text/csv');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/^Failed to parse input as a Pandas DataFrame/u);
  });

  it('answers a body over the limit with 413 naming the limit, and keeps answering', async () => {
    const big = JSON.stringify({ inputs: Array.from({ length: 40_000 }, () => 1) });
    const response = await invoke(big);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.message).toContain('65536 bytes');
    expect((await invoke(JSON.stringify({ inputs: [1] }))).status).toBe(200);
  });

  it('answers an unknown path with 404', async () => {
    expect((await fetch(`${server.url}/predict`, { method: 'POST' })).status).toBe(404);
  });
});

describe('scoring server: request timeout', () => {
  it('answers 504 when a prediction outlasts the timeout, closes the model only after it finished, and keeps answering', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let gated = true;
    const slow = createTestModel({ gate: () => (gated ? gate : Promise.resolve()) });
    const timed = await serveModel({
      uri: '/models/slow',
      loader: async () => slow,
      port: 0,
      requestTimeoutMs: 100,
    });
    try {
      const response = await fetch(`${timed.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [1] }),
      });
      expect(response.status).toBe(504);
      expect(await response.text()).toBe('Request processing time exceeded limit');
      expect(slow.running).toBe(1);
      gated = false;
      open();
      const next = await fetch(`${timed.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [2] }),
      });
      expect(await next.json()).toEqual({ predictions: [{ y: 4 }] });
    } finally {
      await timed.close();
    }
    expect(slow.closed).toBe(true);
  });
});
