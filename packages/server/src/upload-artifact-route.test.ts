import { Readable } from 'node:stream';
import type { ArtifactStore } from '@cairn/core';
import { createMemoryArtifactStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadArtifactMaxBytes } from './routes/upload-artifact-route.js';
import { memoryServer, post, traversalQueryPaths } from './test-helpers.js';

const api = '/api/2.0/mlflow';
const upload = '/ajax-api/2.0/mlflow/upload-artifact';
let app: FastifyInstance;
let artifacts: ArtifactStore;
afterEach(async () => {
  await app.close();
});

let counter = 0;
function server(options: Parameters<typeof memoryServer>[0] = {}) {
  counter += 1;
  artifacts = createMemoryArtifactStore({ rootUri: `memory://uploads/${counter}` });
  app = memoryServer({ artifactStore: artifacts, ...options });
}

async function newRun() {
  const experiment = await post(app, `${api}/experiments/create`, { name: `exp-${Math.random()}` });
  const run = await post(app, `${api}/runs/create`, { experiment_id: experiment.body.experiment_id });
  const info = (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
  return { runId: info.run_id, root: info.artifact_uri.replace(/^mlflow-artifacts:\/+/u, '') };
}

async function send(
  query: string,
  payload?: string | Buffer | Readable,
  headers: Record<string, string> = {},
) {
  const response = await app.inject({
    method: 'POST',
    url: `${upload}${query}`,
    ...(payload === undefined ? {} : { payload }),
    headers,
  });
  return {
    status: response.statusCode,
    body: response.body === '' ? {} : (response.json() as Record<string, unknown>),
    raw: response,
  };
}

const error = (message: string) => ({ error_code: 'INVALID_PARAMETER_VALUE', message });

describe('POST /ajax-api/2.0/mlflow/upload-artifact', () => {
  it("writes the body into the run's artifacts, answers 200 with an empty JSON body, and get-artifact reads it", async () => {
    server();
    const { runId, root } = await newRun();
    const sent = await send(`?run_uuid=${runId}&path=test.txt`, 'hello world');
    expect(sent.status).toBe(200);
    expect(sent.raw.body).toBe('');
    expect(sent.raw.headers['content-type']).toMatch(/^application\/json/u);
    const read = await app.inject(`/get-artifact?run_uuid=${runId}&path=test.txt`);
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe('hello world');
    // Nested paths land in directories; run_id works as newer MLflow servers accept it; any content type.
    const nested = await send(`?run_id=${runId}&path=tables/eval.json`, '{"a":1}', {
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(nested.status).toBe(200);
    expect(Buffer.from(await readAll(await artifacts.get(`${root}/tables/eval.json`))).toString()).toBe(
      '{"a":1}',
    );
  });

  it("checks run_uuid, path, path safety and data in MLflow's order with its messages", async () => {
    server();
    const { runId } = await newRun();
    expect((await send('', 'x')).body).toEqual(
      error('Request must specify run_uuid. (run_id is accepted too.)'),
    );
    expect((await send(`?run_uuid=${runId}`, 'x')).body).toEqual(error('Request must specify path.'));
    expect((await send(`?run_uuid=${runId}&path=`, 'x')).body).toEqual(error('Request must specify path.'));
    expect((await send(`?run_uuid=${runId}&path=../test.txt`, 'x')).body).toEqual(error('Invalid path'));
    expect((await send(`?run_uuid=${runId}&path=.`, 'x')).body).toEqual(error('Invalid path'));
    const empty = await send(`?run_uuid=${runId}&path=test.txt`);
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual(error('Request must specify data.'));
    const unknown = await send('?run_uuid=0123456789abcdef0123456789abcdef&path=a.txt', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it.each(traversalQueryPaths)(
    'refuses the path %s with 400 "Invalid path" and writes nothing',
    async (path) => {
      server();
      const { runId } = await newRun();
      const response = await send(`?run_uuid=${runId}&path=${encodeURIComponent(path)}`, 'payload');
      expect(response.status).toBe(400);
      expect(response.body).toEqual(error('Invalid path'));
      expect(await artifacts.list('')).toEqual([]);
    },
  );

  it('refuses more than 10 MB, by Content-Length and while reading a chunked body, and stores nothing', async () => {
    server();
    const { runId, root } = await newRun();
    const tooBig = Buffer.alloc(uploadArtifactMaxBytes + 1, 1);
    const declared = await send(`?run_uuid=${runId}&path=big.bin`, tooBig);
    expect(declared.status).toBe(400);
    expect(declared.body).toEqual(error('Artifact size is too large. Max size is 10MB.'));
    const chunked = await send(
      `?run_uuid=${runId}&path=big.bin`,
      Readable.from([tooBig.subarray(0, 6e6), tooBig.subarray(6e6)]),
      {
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
      },
    );
    expect(chunked.status).toBe(400);
    expect(chunked.body).toEqual(error('Artifact size is too large. Max size is 10MB.'));
    expect(await artifacts.stat(`${root}/big.bin`)).toBeUndefined();
    const atLimit = await send(`?run_uuid=${runId}&path=ok.bin`, Buffer.alloc(uploadArtifactMaxBytes, 1));
    expect(atLimit.status).toBe(200);
  });

  it('refuses a POST from a page of another origin (no CORS preflight guards a raw body), unless CORS allows it', async () => {
    server({ corsAllowlist: ['https://ui.example'] });
    const { runId, root } = await newRun();
    const query = `?run_uuid=${runId}&path=x.txt`;
    const evil = await send(query, 'x', { origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(evil.status).toBe(403);
    expect(evil.body).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Cross-origin request blocked' });
    expect(await artifacts.stat(`${root}/x.txt`)).toBeUndefined();
    // The UI's own page: Origin and Host name the same server (a default port may be left out of either).
    for (const [origin, host] of [
      ['http://localhost:80', 'localhost:80'],
      ['http://127.0.0.1:5000', '127.0.0.1:5000'],
      ['https://mlflow.example', 'mlflow.example:443'],
    ] as const) {
      expect((await send(query, 'x', { origin, host })).status).toBe(200);
    }
    expect((await send(query, 'x', { origin: 'http://127.0.0.1:5001', host: '127.0.0.1:5000' })).status).toBe(
      403,
    );
    expect((await send(query, 'x', { origin: 'https://ui.example' })).status).toBe(200);
    expect((await send(query, 'x', { origin: 'null' })).status).toBe(403);
  });
});

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
