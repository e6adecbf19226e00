import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { createMemoryArtifactStore } from '@cairn/store-memory';
import { collectText } from '@cairn/testkit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartUnsupportedMessage } from './routes/artifact-proxy-routes.js';
import { get, memoryServer, post } from './test-helpers.js';

const proxy = '/api/2.0/mlflow-artifacts/artifacts';
let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

const put = (url: string, payload: string | Buffer, contentType = 'application/octet-stream') =>
  app.inject({ method: 'PUT', url, payload, headers: { 'content-type': contentType } });

describe('artifact proxy', () => {
  it('stores raw bytes of any content type and streams them back with type and disposition', async () => {
    app = memoryServer();
    expect((await put(`${proxy}/1/run/artifacts/dir/notes.txt`, 'hello', 'text/plain')).json()).toEqual({});
    expect(
      (await put(`${proxy}/1/run/artifacts/dir/data.json`, '{"a":1}', 'application/json')).statusCode,
    ).toBe(200);
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(
      (await app.inject({ method: 'PUT', url: `${proxy}/1/run/artifacts/blob.bin`, payload: bytes }))
        .statusCode,
    ).toBe(200);
    const text = await app.inject(`${proxy}/1/run/artifacts/dir/notes.txt`);
    expect(text.statusCode).toBe(200);
    expect(text.body).toBe('hello');
    expect(text.headers['content-type']).toMatch(/^text\/plain/u);
    expect(text.headers['content-disposition']).toBe('attachment; filename=notes.txt');
    const blob = await app.inject(`${proxy}/1/run/artifacts/blob.bin`);
    expect(blob.rawPayload.equals(bytes)).toBe(true);
    expect(blob.headers['content-type']).toBe('application/octet-stream');
    expect((await app.inject(`${proxy}/1/run/artifacts/dir/data.json`)).headers['content-type']).toMatch(
      /json/u,
    );
    const missing = await app.inject(`${proxy}/1/run/artifacts/none.txt`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    // The proxy's own message: the store's would name its root (a server path or a bucket).
    expect(missing.json().message).toBe("No artifact file at '1/run/artifacts/none.txt'");
    const directory = await app.inject(`${proxy}/1/run/artifacts/dir`);
    expect(directory.statusCode).toBe(404);
    expect(directory.json()).toMatchObject({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No artifact file at '1/run/artifacts/dir'",
    });
  });

  it('lists basenames, {} for a missing directory, and deletes', async () => {
    app = memoryServer();
    await put(`${proxy}/1/r/artifacts/model/MLmodel`, 'flavors: {}');
    await put(`${proxy}/1/r/artifacts/model/sub/x.txt`, 'x');
    await put(`${proxy}/1/r/artifacts/model/empty.txt`, '');
    const listed = await get(app, `${proxy}?path=1/r/artifacts/model`);
    // An empty file has no file_size, as MLflow's proto JSON drops a zero (its client reads None).
    expect(listed.body).toEqual({
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 11 },
        { path: 'empty.txt', is_dir: false },
        { path: 'sub', is_dir: true },
      ],
    });
    expect((await get(app, `${proxy}?path=1/r/artifacts/absent`)).body).toEqual({});
    expect((await app.inject({ method: 'DELETE', url: `${proxy}/1/r/artifacts/model` })).json()).toEqual({});
    expect((await get(app, `${proxy}?path=1/r/artifacts/model`)).body).toEqual({});
  });

  it("lists a run's artifacts through artifacts/list with run-relative paths", async () => {
    app = memoryServer();
    const created = await post(app, '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    const info = (created.body.run as { info: { run_id: string; artifact_uri: string } }).info;
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/0/${info.run_id}/artifacts`);
    await put(`${proxy}/0/${info.run_id}/artifacts/plots/a.png`, 'png');
    const root = await get(app, `/api/2.0/mlflow/artifacts/list?run_id=${info.run_id}`);
    expect(root.body).toEqual({ root_uri: info.artifact_uri, files: [{ path: 'plots', is_dir: true }] });
    const sub = await get(app, `/api/2.0/mlflow/artifacts/list?run_id=${info.run_id}&path=plots`);
    expect(sub.body.files).toEqual([{ path: 'plots/a.png', is_dir: false, file_size: 3 }]);
  });

  it("answers multipart with MLflow's exact 501 when the store cannot do it", async () => {
    app = memoryServer();
    const response = await post(app, '/api/2.0/mlflow-artifacts/mpu/create/1/r/artifacts/big.bin', {
      path: '/tmp/big.bin',
      num_parts: 3,
    });
    expect(response.status).toBe(501);
    expect(response.body).toEqual({ error_code: 'NOT_IMPLEMENTED', message: multipartUnsupportedMessage });
  });

  it('refuses a multipart path that names no file with 400 naming the field, before asking the store', async () => {
    app = memoryServer();
    for (const path of ['', '.', '..', 'dir/', 'C:\\data\\..', 'a%2F..', 'x%00', '%E0%A4%A']) {
      for (const action of ['create', 'complete', 'abort']) {
        const response = await post(app, `/api/2.0/mlflow-artifacts/mpu/${action}/1/r/artifacts`, {
          path,
          upload_id: 'u',
          parts: [],
          num_parts: 1,
        });
        expect(response.status, `${action} ${JSON.stringify(path)}`).toBe(400);
        expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
        expect(response.body.message).toMatch(/path/u);
      }
    }
    // Old clients send their whole local path (POSIX or Windows); only the name counts, so these reach the store.
    for (const path of ['/tmp/big.bin', 'C:\\Users\\me\\big.bin', 'big.bin']) {
      const response = await post(app, '/api/2.0/mlflow-artifacts/mpu/create/1/r/artifacts', {
        path,
        num_parts: 2,
      });
      expect(response.status).toBe(501);
    }
  });

  it('answers 503 on the proxy routes with --no-serve-artifacts', async () => {
    app = memoryServer({ serveArtifacts: false });
    const response = await app.inject(`${proxy}?path=x`);
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('--no-serve-artifacts');
  });
});

/** Sends a request with the path exactly as given (no client-side normalisation of '..'). */
function rawRequest(address: string, method: string, path: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(address);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body ? { 'content-type': 'text/plain' } : {},
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** MLflow's own regression strings (security.md) and their encoded and double-encoded variants. */
const traversalPaths = [
  '../path',
  './../path',
  'path/../to/file',
  'a/../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2E%2E%2F%2E%2E%2Fpath',
  '%252E%252E%252Fetc',
  '..%252F..%252Fetc',
  'etc%00.jpg',
  '..%5C..%5Cwindows',
  '%2Fetc%2Fpasswd',
  'C:%5Cwindows',
  'C:/windows/system32',
  'file:%2F%2Fetc%2Fpasswd',
];

describe('the traversal corpus', () => {
  // Over a real socket: an in-process inject would resolve '..' in the URL before the server saw it.
  it.each(traversalPaths)(
    'refuses %s on PUT, GET, DELETE and list with 400 and writes nothing',
    async (path) => {
      app = memoryServer();
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      for (const method of ['PUT', 'GET', 'DELETE'] as const) {
        const response = await rawRequest(
          address,
          method,
          `${proxy}/${path}`,
          method === 'PUT' ? 'pwned' : undefined,
        );
        expect([400, 404], `${method} ${path}`).toContain(response.status);
        if (response.status === 400)
          expect(JSON.parse(response.body).error_code).toBe('INVALID_PARAMETER_VALUE');
      }
      const listed = await rawRequest(address, 'GET', `${proxy}?path=${path}`);
      expect(listed.status, `list ${path}`).toBe(400);
      expect(JSON.parse(listed.body).error_code).toBe('INVALID_PARAMETER_VALUE');
      expect((await get(app, `${proxy}?path=`)).body).toEqual({});
    },
  );

  it.each(['/etc/passwd', '/etc/passwd%00.jpg', '/file://etc/passwd'])(
    'refuses the absolute path %s',
    async (path) => {
      app = memoryServer();
      const listed = await app.inject(`${proxy}?path=${encodeURIComponent(path)}`);
      expect(listed.statusCode).toBe(400);
      const putAbsolute = await put(`${proxy}/${encodeURIComponent(path)}`, 'x');
      expect(putAbsolute.statusCode).toBe(400);
    },
  );

  it.each([
    'http://host#/abc/etc/',
    'http://host/;..%2F..%2Fetc',
    'file:///tmp/x?y=1',
    'http:///#/../../etc/',
  ])('refuses the artifact location %s', async (location) => {
    app = memoryServer();
    const response = await post(app, '/api/2.0/mlflow/experiments/create', {
      name: `loc-${Math.random()}`,
      artifact_location: location,
    });
    expect(response).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it("refuses '..' in artifacts/list paths", async () => {
    app = memoryServer();
    const created = await post(app, '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    const runId = (created.body.run as { info: { run_id: string } }).info.run_id;
    const response = await get(app, `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=../../..`);
    expect(response).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('shutdown', () => {
  it('finishes an upload in flight before close() resolves', async () => {
    const artifactStore = createMemoryArtifactStore({ rootUri: 'memory://shutdown-test' });
    app = memoryServer({ artifactStore });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowBody() {
      yield new TextEncoder().encode('first,');
      await gate;
      yield new TextEncoder().encode('second');
    }
    const upload = fetch(`${address}${proxy}/slow/file.txt`, {
      method: 'PUT',
      body: Readable.toWeb(Readable.from(slowBody())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = app.close();
    release();
    expect((await upload).status).toBe(200);
    await closing;
    // The store holds the whole file: the in-flight write was not cut off.
    expect(await collectText(await artifactStore.get('slow/file.txt'))).toBe('first,second');
  });
});
