import { get as httpGet } from 'node:http';
import type { GetMetricHistoryInput, TrackingStore } from '@cairn/core';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { streamMetricHistory } from './metric-history-stream.js';
import { get, memoryServer, post } from './test-helpers.js';
import { toWireJson } from './wire/wire-json.js';

const api = '/api/2.0/mlflow';
const ajax = '/ajax-api/2.0/mlflow';
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function newRun(server: FastifyInstance, experimentId?: string) {
  const experiment =
    experimentId ??
    ((await post(server, `${api}/experiments/create`, { name: `e-${Math.random()}` })).body
      .experiment_id as string);
  const created = await post(server, `${api}/runs/create`, { experiment_id: experiment });
  return { experimentId: experiment, runId: (created.body.run as { info: { run_id: string } }).info.run_id };
}

async function logPoints(
  server: FastifyInstance,
  runId: string,
  points: { key: string; value: number | string; timestamp: number; step: number }[],
) {
  for (let offset = 0; offset < points.length; offset += 1000) {
    const response = await post(server, `${api}/runs/log-batch`, {
      run_id: runId,
      metrics: points.slice(offset, offset + 1000),
    });
    expect(response.status).toBe(200);
  }
}

const query = (params: Record<string, string | number | (string | number)[]>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  return search.toString();
};

describe('metrics/get-history-bulk (the UI’s)', () => {
  const history = [
    { key: 'a', timestamp: 1, step: 3, value: 12 },
    { key: 'a', timestamp: 2, step: 3, value: 12 },
    { key: 'a', timestamp: 1, step: 2, value: 10 },
    { key: 'a', timestamp: 1, step: 3, value: 11 },
  ];
  const ordered = [history[2], history[3], history[0], history[1]];

  it('is served under /ajax-api/2.0 only, as in MLflow', async () => {
    app = memoryServer();
    const { runId } = await newRun(app);
    expect(
      (await get(app, `${ajax}/metrics/get-history-bulk?${query({ run_id: runId, metric_key: 'a' })}`))
        .status,
    ).toBe(200);
    const rest = await get(
      app,
      `${api}/metrics/get-history-bulk?${query({ run_id: runId, metric_key: 'a' })}`,
    );
    expect(rest).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });

  it('answers run by run in run-id order, each by (timestamp, step, value), with run_id', async () => {
    app = memoryServer();
    const { experimentId, runId: first } = await newRun(app);
    const { runId: second } = await newRun(app, experimentId);
    await logPoints(app, first, history);
    await logPoints(
      app,
      second,
      history.map((point) => ({ ...point, value: point.value + 1 })),
    );
    await logPoints(app, first, [{ key: 'other', timestamp: 1, step: 0, value: 5 }]);
    const [low, high] = [first, second].sort();
    const response = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: [high as string, 'ffffffffffffffffffffffffffffffff', low as string, high as string], metric_key: 'a' })}`,
    );
    expect(response.status).toBe(200);
    const expected = (runId: string) =>
      ordered.map((point) => ({
        ...point,
        value: (point?.value ?? 0) + (runId === second ? 1 : 0),
        run_id: runId,
      }));
    expect(response.body.metrics).toEqual([...expected(low as string), ...expected(high as string)]);
  });

  it('stops at max_results points in all (25,000 at most)', async () => {
    app = memoryServer();
    const { experimentId, runId: first } = await newRun(app);
    const { runId: second } = await newRun(app, experimentId);
    await logPoints(app, first, history);
    await logPoints(app, second, history);
    const [low] = [first, second].sort();
    const two = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: [first, second], metric_key: 'a', max_results: 2 })}`,
    );
    expect(two.body.metrics).toEqual(ordered.slice(0, 2).map((point) => ({ ...point, run_id: low })));
    const six = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: [first, second], metric_key: 'a', max_results: 6 })}`,
    );
    expect(six.body.metrics).toHaveLength(6);
    const capped = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: first, metric_key: 'a', max_results: 10 ** 9 })}`,
    );
    expect(capped.body.metrics).toHaveLength(4);
    const none = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: first, metric_key: 'a', max_results: 0 })}`,
    );
    expect(none.body.metrics).toEqual([]);
  });

  it('writes NaN and infinities as protobuf JSON strings', async () => {
    app = memoryServer();
    const { runId } = await newRun(app);
    await logPoints(app, runId, [
      { key: 'odd', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'odd', value: 'Infinity', timestamp: 2, step: 0 },
    ]);
    const response = await get(
      app,
      `${ajax}/metrics/get-history-bulk?${query({ run_id: runId, metric_key: 'odd' })}`,
    );
    expect(response.raw).toContain('"value":"NaN"');
    expect(response.raw).toContain('"value":"Infinity"');
  });

  it('rejects requests with MLflow’s messages and INVALID_PARAMETER_VALUE', async () => {
    app = memoryServer();
    const cases: [Record<string, string | number | string[]>, string][] = [
      [{ metric_key: 'a' }, 'GetMetricHistoryBulk request must specify at least one run_id.'],
      [
        { run_id: Array.from({ length: 101 }, (_, i) => `id_${i}`), metric_key: 'a' },
        'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
      ],
      [{ run_id: '123' }, 'GetMetricHistoryBulk request must specify a metric_key.'],
      [
        { run_id: '123', metric_key: 'a', max_results: -1 },
        'max_results must be a non-negative integer, got -1.',
      ],
      [{ run_id: '123', metric_key: 'a', max_results: 'many' }, "parameter 'max_results'"],
    ];
    for (const [params, message] of cases) {
      const response = await get(app, `${ajax}/metrics/get-history-bulk?${query(params)}`);
      expect(response.status, message).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toContain(message);
    }
  });
});

describe('metrics/get-history-bulk-interval', () => {
  const steps = (body: Record<string, unknown>, runId: string) =>
    (body.metrics as { run_id: string; step: number }[]).filter((m) => m.run_id === runId).map((m) => m.step);

  it('picks MLflow’s steps under both prefixes, keeping each run’s first and last', async () => {
    app = memoryServer();
    const { experimentId, runId: first } = await newRun(app);
    const { runId: second } = await newRun(app, experimentId);
    const points = (count: number) =>
      Array.from({ length: count }, (_, step) => ({ key: 'm', value: 10, timestamp: 1, step }));
    await logPoints(app, first, points(10));
    await logPoints(app, second, points(20));
    for (const prefix of [api, ajax]) {
      const one = await get(
        app,
        `${prefix}/metrics/get-history-bulk-interval?${query({ run_ids: first, metric_key: 'm', max_results: 5 })}`,
      );
      expect(one.status).toBe(200);
      expect(one.body.metrics).toEqual(
        [0, 2, 4, 6, 8, 9].map((step) => ({ key: 'm', value: 10, timestamp: 1, step, run_id: first })),
      );
      const both = await get(
        app,
        `${prefix}/metrics/get-history-bulk-interval?${query({ run_ids: [first, second], metric_key: 'm', max_results: 5 })}`,
      );
      expect(steps(both.body, first)).toEqual([0, 4, 8, 9]);
      expect(steps(both.body, second)).toEqual([0, 4, 8, 9, 12, 16, 19]);
    }
  });

  it('rejects requests with MLflow’s messages and INVALID_PARAMETER_VALUE', async () => {
    app = memoryServer();
    const cases: [Record<string, string | number | string[]>, string][] = [
      [{ metric_key: 'key' }, "Missing value for required parameter 'run_ids'."],
      [
        { run_ids: Array.from({ length: 1000 }, (_, i) => `id_${i}`), metric_key: 'key' },
        'GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 1000 run_ids.',
      ],
      [{ run_ids: '123', metric_key: 'key', max_results: 0 }, 'max_results must be between 1 and 2500'],
      [{ run_ids: '123', metric_key: '' }, "Missing value for required parameter 'metric_key'"],
      [{ run_ids: '123', max_results: 5 }, "Missing value for required parameter 'metric_key'"],
      [
        { run_ids: '123', metric_key: 'key', start_step: 1, end_step: 0, max_results: 5 },
        'end_step must be greater than start_step. Found start_step=1 and end_step=0.',
      ],
      [
        { run_ids: '123', metric_key: 'key', start_step: 1, max_results: 5 },
        'If either start step or end step are specified, both must be specified.',
      ],
    ];
    for (const [params, message] of cases) {
      const response = await get(app, `${ajax}/metrics/get-history-bulk-interval?${query(params)}`);
      expect(response.status, message).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toContain(message);
    }
  });
});

describe('metrics/get-history-downsampled (Cairn’s, for charts)', () => {
  it('answers each run’s lowest and highest point per bucket under both prefixes', async () => {
    app = memoryServer();
    const { runId } = await newRun(app);
    const points: { key: string; value: number | string; timestamp: number; step: number }[] = Array.from(
      { length: 100 },
      (_, step) => ({ key: 'm', value: 1, timestamp: 5, step }),
    );
    points[42] = { key: 'm', value: 9, timestamp: 5, step: 42 };
    points[43] = { key: 'm', value: 'NaN', timestamp: 5, step: 43 };
    await logPoints(app, runId, points);
    for (const prefix of [api, ajax]) {
      const response = await get(
        app,
        `${prefix}/metrics/get-history-downsampled?${query({ run_ids: runId, metric_key: 'm', buckets: 2 })}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.metrics).toEqual([
        { key: 'm', value: 1, timestamp: 5, step: 0, run_id: runId },
        { key: 'm', value: 9, timestamp: 5, step: 42, run_id: runId },
        { key: 'm', value: 1, timestamp: 5, step: 50, run_id: runId },
      ]);
    }
  });

  it('rejects bad requests with INVALID_PARAMETER_VALUE naming the field and the limit', async () => {
    app = memoryServer();
    const cases: [Record<string, string | number | string[]>, string][] = [
      [{ metric_key: 'key' }, "Missing value for required parameter 'run_ids'"],
      [{ run_ids: '123', metric_key: 'key', buckets: 0 }, 'buckets must be an integer from 1 to 5000, got 0'],
      [
        { run_ids: '123', metric_key: 'key', buckets: 'many' },
        'Invalid value "many" for parameter \'buckets\'',
      ],
      [{ run_ids: '123', metric_key: 'key', start_step: 3 }, 'both must be specified'],
    ];
    for (const [params, message] of cases) {
      const response = await get(app, `${ajax}/metrics/get-history-downsampled?${query(params)}`);
      expect(response.status, message).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toContain(message);
    }
  });
});

/** A store that counts the history pages it is asked for. */
function countingStore(inner: TrackingStore, pages: GetMetricHistoryInput[]): TrackingStore {
  return {
    ...inner,
    getMetricHistory: (input) => {
      pages.push(input);
      return inner.getMetricHistory(input);
    },
  };
}

describe('metrics/get-history of a whole history', () => {
  it('streams it chunked, page by page, byte for byte the JSON of the whole list', async () => {
    const inner = createMemoryTrackingStore();
    const pages: GetMetricHistoryInput[] = [];
    app = memoryServer({ trackingStore: countingStore(inner, pages) });
    const { runId } = await newRun(app);
    const points = Array.from({ length: 5000 }, (_, step) => ({
      key: 'loss',
      value: step === 7 ? 'NaN' : 1 / (step + 1),
      timestamp: 1000 + step,
      step,
    }));
    await logPoints(app, runId, points);
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}${api}/metrics/get-history?${query({ run_id: runId, metric_key: 'loss' })}`;
    pages.length = 0;
    const { headers, chunks, body } = await new Promise<{
      headers: Record<string, unknown>;
      chunks: number;
      body: string;
    }>((resolve, reject) => {
      httpGet(url, (response) => {
        let count = 0;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          count += 1;
          text += chunk;
        });
        response.on('end', () => resolve({ headers: response.headers, chunks: count, body: text }));
        response.on('error', reject);
      }).on('error', reject);
    });
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
    expect(headers['content-type']).toContain('application/json');
    expect(chunks).toBeGreaterThan(1);
    // 5,000 points in pages of 2,000: three store pages, never the whole history at once.
    expect(pages.map((page) => page.maxResults)).toEqual([2000, 2000, 2000]);
    const all = (await inner.getMetricHistory({ runId, metricKey: 'loss' })).items;
    expect(body).toBe(toWireJson({ metrics: all }));
    expect(body).toContain('"value":"NaN"');
  });

  it('answers an unknown run with its error, not a cut-off body, and an empty history as before', async () => {
    app = memoryServer();
    const missing = await get(
      app,
      `${api}/metrics/get-history?run_id=ffffffffffffffffffffffffffffffff&metric_key=m`,
    );
    expect(missing).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const { runId } = await newRun(app);
    const empty = await get(app, `${api}/metrics/get-history?run_id=${runId}&metric_key=never`);
    expect(empty.raw).toBe('{"metrics":[]}');
  });

  it('reads no further pages once the reader stops', async () => {
    const inner = createMemoryTrackingStore();
    const pages: GetMetricHistoryInput[] = [];
    const store = countingStore(inner, pages);
    const experimentId = await inner.createExperiment({ name: 'stream' });
    const runId = (await inner.createRun({ experimentId })).info.run_id;
    await inner.logBatch({
      runId,
      metrics: Array.from({ length: 100 }, (_, step) => ({ key: 'm', value: step, timestamp: step, step })),
    });
    const stream = await streamMetricHistory(store, runId, 'm', { pageSize: 10 });
    for await (const _chunk of stream) break;
    expect(stream.destroyed).toBe(true);
    expect(pages.length).toBeLessThanOrEqual(2);
  });
});
