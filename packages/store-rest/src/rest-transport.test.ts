import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CairnError } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { authorizationHeader, createRestTransport, retrySettings } from './rest-transport.js';

let close: () => Promise<void> = async () => {};
afterEach(async () => {
  await close();
});

/** A server that answers each request with the next status in `statuses` and records what it saw. */
async function scripted(statuses: number[], body = '{}') {
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; at: number }[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, at: Date.now() });
    const status = statuses[Math.min(seen.length - 1, statuses.length - 1)] ?? 200;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(
      status === 200 ? body : JSON.stringify({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return { seen, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('REST transport', () => {
  it("reads MLflow's retry settings with MLflow's defaults", () => {
    expect(retrySettings({})).toEqual({ retries: 7, backoffFactor: 2, timeoutMs: 120_000 });
    expect(
      retrySettings({
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.5',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '7',
      }),
    ).toEqual({ retries: 3, backoffFactor: 0.5, timeoutMs: 7000 });
    expect(() => retrySettings({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'many' })).toThrow(
      /MLFLOW_HTTP_REQUEST_MAX_RETRIES/u,
    );
  });

  it('lets explicit options win over the environment', () => {
    expect(
      retrySettings({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3' }, { maxRetries: 1, timeoutSeconds: 5 }),
    ).toEqual({ retries: 1, backoffFactor: 2, timeoutMs: 5000 });
    expect(authorizationHeader({ MLFLOW_TRACKING_TOKEN: 'env' }, { token: 'explicit' })).toBe(
      'Bearer explicit',
    );
    expect(authorizationHeader({}, { username: 'zoë', password: 'pw' })).toBe(
      `Basic ${Buffer.from('zoë:pw').toString('base64')}`,
    );
    expect(retrySettings({})).toEqual({ retries: 7, backoffFactor: 2, timeoutMs: 120_000 });
  });

  it('sends Bearer from MLFLOW_TRACKING_TOKEN, else Basic from username and password', () => {
    expect(authorizationHeader({ MLFLOW_TRACKING_TOKEN: 't0k' })).toBe('Bearer t0k');
    expect(authorizationHeader({ MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' })).toBe(
      `Basic ${Buffer.from('ann:pw').toString('base64')}`,
    );
    expect(authorizationHeader({})).toBeUndefined();
  });

  it('retries 503 with growing, jittered delays, then succeeds', async () => {
    const { seen, baseUrl } = await scripted([503, 429, 200], '{"ok":true}');
    const transport = createRestTransport({
      baseUrl,
      env: {
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.05',
        MLFLOW_TRACKING_TOKEN: 'x',
      },
    });
    expect(await transport.json('GET', '/api/2.0/mlflow/runs/get', { run_id: 'r', ids: ['a', 'b'] })).toEqual(
      {
        ok: true,
      },
    );
    expect(seen).toHaveLength(3);
    expect(seen[0]?.url).toBe('/api/2.0/mlflow/runs/get?run_id=r&ids=a&ids=b');
    expect(seen[0]?.headers.authorization).toBe('Bearer x');
    const first = (seen[1]?.at ?? 0) - (seen[0]?.at ?? 0);
    const second = (seen[2]?.at ?? 0) - (seen[1]?.at ?? 0);
    expect(first).toBeGreaterThanOrEqual(45);
    expect(second).toBeGreaterThanOrEqual(95);
  });

  it('gives up after MLFLOW_HTTP_REQUEST_MAX_RETRIES with the server error code', async () => {
    const { seen, baseUrl } = await scripted([503]);
    const transport = createRestTransport({
      baseUrl,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.01' },
    });
    const error = await transport.json('POST', '/api/2.0/mlflow/runs/create', {}).catch((e: unknown) => e);
    expect(CairnError.isInstance(error) && error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(seen).toHaveLength(3);
    expect(seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('does not retry a 400 and maps a non-JSON 404 to ENDPOINT_NOT_FOUND', async () => {
    const server = await scripted([400]);
    const transport = createRestTransport({
      baseUrl: server.baseUrl,
      env: { MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.01' },
    });
    await expect(transport.json('POST', '/x', {})).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    expect(server.seen).toHaveLength(1);
    await close();
    const plain = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => plain.close(() => resolve()));
    const other = createRestTransport({
      baseUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    });
    await expect(other.json('GET', '/nope')).rejects.toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
  });

  it('retries a refused connection, then reports TEMPORARILY_UNAVAILABLE', async () => {
    const { baseUrl } = await scripted([200]);
    await close();
    close = async () => {};
    const transport = createRestTransport({
      baseUrl,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.01' },
    });
    await expect(transport.json('GET', '/health')).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
  });

  it('times out a request after MLFLOW_HTTP_REQUEST_TIMEOUT seconds', async () => {
    const server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    const transport = createRestTransport({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '0.2' },
    });
    const started = Date.now();
    await expect(transport.json('GET', '/slow')).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('REST transport: artifact bytes time out on a stall, not on a long transfer', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A server whose GET sends `chunks` pieces `gapMs` apart (stalling `stallMs` after the first), and whose PUT counts bytes. */
  async function trickle(chunks: number, gapMs: number, stallMs = 0) {
    const received: number[] = [];
    const server = createServer((request, response) => {
      if (request.method === 'PUT') {
        let bytes = 0;
        request.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        request.on('end', () => {
          received.push(bytes);
          response.end('{}');
        });
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      void (async () => {
        for (let i = 0; i < chunks; i += 1) {
          if (response.destroyed) return;
          response.write(Buffer.alloc(1024, i));
          await pause(i === 0 && stallMs > 0 ? stallMs : gapMs);
        }
        response.end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return { received, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  const transportFor = (baseUrl: string) =>
    createRestTransport({
      baseUrl,
      env: { MLFLOW_HTTP_REQUEST_TIMEOUT: '0.3', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    });

  it('downloads a body that takes longer than the timeout in total while bytes keep coming', async () => {
    const { baseUrl } = await trickle(6, 150);
    const response = await transportFor(baseUrl).raw(`${baseUrl}/file`, { method: 'GET', replayable: true });
    const started = Date.now();
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(bytes.length).toBe(6 * 1024);
    expect(bytes[5 * 1024]).toBe(5);
  });

  it('fails a download that stalls longer than the timeout, naming the timeout', async () => {
    const { baseUrl } = await trickle(3, 10, 1_500);
    const response = await transportFor(baseUrl).raw(`${baseUrl}/file`, { method: 'GET', replayable: true });
    const failure = await response.arrayBuffer().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(`${(failure as Error).name} ${(failure as Error).message}`).toMatch(
      /Timeout|no data moved|abort/iu,
    );
  });

  it('uploads a streamed body that takes longer than the timeout in total', async () => {
    const { received, baseUrl } = await trickle(0, 0);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 6) return controller.close();
        await pause(150);
        sent += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const response = await transportFor(baseUrl).raw(`${baseUrl}/file`, {
      method: 'PUT',
      body,
      replayable: false,
      duplex: 'half',
    } as RequestInit & { replayable: boolean });
    expect(response.ok).toBe(true);
    await response.body?.cancel();
    expect(received).toEqual([6 * 1024]);
  });
});
