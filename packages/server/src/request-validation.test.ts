import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer, post } from './test-helpers.js';

// A request field of the wrong type or missing is answered with MLflow's wording, which MLflow's own
// tests and clients match on; Cairn's note on what the field must hold follows it.
const api = '/api/2.0/mlflow';
const docs = 'See the API docs for more information about request parameters.';
let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

/** POSTs raw JSON text, so numbers reach the server as written (`9.0` stays `9.0`). */
async function postText(url: string, text: string) {
  const response = await app.inject({
    method: 'POST',
    url: `${api}${url}`,
    payload: text,
    headers: { 'content-type': 'application/json' },
  });
  return { status: response.statusCode, body: response.json() as { error_code?: string; message?: string } };
}

async function newRun() {
  const experiment = await post(app, `${api}/experiments/create`, { name: `exp-${Math.random()}` });
  const run = await post(app, `${api}/runs/create`, { experiment_id: experiment.body.experiment_id });
  return (run.body.run as { info: { run_id: string } }).info.run_id;
}

describe('request validation messages', () => {
  it('quotes a wrongly typed value as Python prints it, with its Python type, naming the field', async () => {
    app = memoryServer();
    const cases: Array<[string, string, string]> = [
      [
        '/experiments/create',
        '{"name": 123}',
        `Invalid value 123 for parameter 'name' supplied: Hint: Value was of type 'int'. It must be a string. ${docs}`,
      ],
      [
        '/experiments/create',
        '{"name": "e", "artifact_location": 9.0}',
        "Invalid value 9.0 for parameter 'artifact_location' supplied: Hint: Value was of type 'float'. It must be a string.",
      ],
      [
        '/experiments/create',
        '{"name": "e", "tags": "5"}',
        `Invalid value "5" for parameter 'tags' supplied: Hint: Value was of type 'str'. It must be a JSON array.`,
      ],
      [
        '/experiments/create',
        '{"name": "e", "tags": [{"key": "k", "value": {"b": 1, "a": [true]}}]}',
        `Invalid value {"a":[true],"b":1} for parameter 'tags[0].value' supplied: Hint: Value was of type 'dict'.`,
      ],
      [
        '/runs/log-batch',
        '{"run_id": "r", "metrics": "foo"}',
        `Invalid value "foo" for parameter 'metrics' supplied: Hint: Value was of type 'str'. It must be a JSON array.`,
      ],
      [
        '/runs/log-batch',
        '{"run_id": "r", "params": "foo"}',
        `Invalid value "foo" for parameter 'params' supplied`,
      ],
      [
        '/runs/log-batch',
        '{"run_id": "r", "tags": "foo"}',
        `Invalid value "foo" for parameter 'tags' supplied`,
      ],
      [
        '/runs/set-tag',
        '{"run_id": 31, "key": "k", "value": "v"}',
        "Invalid value 31 for parameter 'run_id' supplied",
      ],
      [
        '/runs/log-parameter',
        '{"run_id": "r", "key": 31, "value": "v"}',
        "Invalid value 31 for parameter 'key' supplied",
      ],
      [
        '/runs/log-metric',
        '{"run_id": "r", "key": "m", "value": 1, "timestamp": 59, "step": "foo"}',
        `Invalid value "foo" for parameter 'step' supplied: Hint: Value was of type 'str'. It must be an integer. ${docs}`,
      ],
      [
        '/runs/log-metric',
        '{"run_id": "r", "key": "m", "value": 1, "timestamp": 1.5}',
        "Invalid value 1.5 for parameter 'timestamp' supplied: Hint: Value was of type 'float'. It must be an integer.",
      ],
      [
        '/runs/log-metric',
        '{"run_id": "r", "key": "m", "value": "é", "timestamp": 1}',
        `Invalid value "\\u00e9" for parameter 'value' supplied: Hint: Value was of type 'str'. It must be a number, "NaN", "Infinity" or "-Infinity".`,
      ],
    ];
    for (const [url, text, message] of cases) {
      const response = await postText(url, text);
      expect([response.status, response.body.error_code], text).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(response.body.message, text).toContain(message);
    }
  });

  it('says a required field is missing when it is absent or null, naming nested fields as MLflow does', async () => {
    app = memoryServer();
    const cases: Array<[string, string, string]> = [
      ['/experiments/create', '{}', "Missing value for required parameter 'name'."],
      ['/runs/log-metric', '{"run_id": null, "key": "m", "value": 1, "timestamp": 1}', "parameter 'run_id'"],
      ['/runs/log-metric', '{"run_id": "r", "key": null, "value": 1, "timestamp": 1}', "parameter 'key'"],
      ['/runs/log-metric', '{"run_id": "r", "value": 1, "timestamp": 1}', "parameter 'key'"],
      [
        '/runs/log-batch',
        '{"run_id": "r", "metrics": [{"key": "mae", "value": 2.5}]}',
        "Missing value for required parameter 'metrics[0].timestamp'.",
      ],
    ];
    for (const [url, text, message] of cases) {
      const response = await postText(url, text);
      expect([response.status, response.body.error_code], text).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(response.body.message, text).toContain(message);
      expect(response.body.message, text).toMatch(
        /^Missing value for required parameter '[^']+'\. See the API docs/u,
      );
    }
  });

  it('reads a null optional field as absent, as protobuf does, and stores nothing from a refused request', async () => {
    app = memoryServer();
    const runId = await newRun();
    const logged = await postText(
      '/runs/log-metric',
      JSON.stringify({ run_id: runId, key: 'm', value: 1, timestamp: 5, step: null, model_id: null }),
    );
    expect(logged.status).toBe(200);
    const refused = await postText(
      '/runs/log-batch',
      JSON.stringify({
        run_id: runId,
        params: [{ key: 'p', value: 'v' }],
        metrics: [{ key: 'x', value: 1 }],
      }),
    );
    expect(refused.body.message).toContain("'metrics[0].timestamp'");
    const run = await get(app, `${api}/runs/get?run_id=${runId}`);
    const data = (run.body.run as { data: { params?: unknown[]; metrics?: { key: string; step: number }[] } })
      .data;
    expect(data.params ?? []).toEqual([]);
    expect(data.metrics).toMatchObject([{ key: 'm', step: 0 }]);
  });

  it('quotes query-string values as strings', async () => {
    app = memoryServer();
    const response = await get(app, `${api}/experiments/search?max_results=ten`);
    expect(response.body.message).toContain(
      `Invalid value "ten" for parameter 'max_results' supplied: Hint: Value was of type 'str'. It must be an integer.`,
    );
  });

  it("refuses a page size over the limit with MLflow's wording and the limit", async () => {
    app = memoryServer();
    const experiment = await post(app, `${api}/experiments/create`, { name: 'search' });
    const response = await post(app, `${api}/runs/search`, {
      experiment_ids: [experiment.body.experiment_id],
      max_results: 123456789,
    });
    expect([response.status, response.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(response.body.message).toBe(
      "Invalid value 123456789 for parameter 'max_results' supplied: it must be an integer between 1 and 50000",
    );
  });
});
