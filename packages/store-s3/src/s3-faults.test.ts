import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArtifactStore } from '@cairn/core';
import { chunked, collectBytes, collectText, patternBytes } from '@cairn/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3ArtifactStore } from './s3-artifact-store.js';
import { type FaultProxy, startFaultProxy } from './testing/fault-proxy.js';
import { startTestS3Server, type TestS3Server } from './testing/moto-server.js';

const mebibyte = 1024 * 1024;
let server: TestS3Server;
let proxy: FaultProxy;
let raw: S3Client;
let counter = 0;

beforeAll(async () => {
  server = await startTestS3Server();
  await server.createBucket('faults');
  proxy = await startFaultProxy(server.endpoint);
  raw = new S3Client(server.clientConfig);
});

afterAll(async () => {
  raw?.destroy();
  await proxy?.close();
  await server?.stop();
});

beforeEach(() => proxy.setRule(() => 'pass'));

/** A store talking to S3 through the fault proxy, with a short idle timeout so stalls turn into retries fast. */
function storeBehindProxy(options: { maxAttempts?: number } = {}): { store: ArtifactStore; prefix: string } {
  counter += 1;
  const prefix = `faults/${counter}`;
  return {
    prefix,
    store: createS3ArtifactStore({
      uri: `s3://faults/${prefix}`,
      endpoint: proxy.endpoint,
      credentials: server.credentials,
      partSizeBytes: 5 * mebibyte,
      socketTimeoutMs: 1000,
      maxAttempts: options.maxAttempts ?? 5,
      env: {},
    }),
  };
}

const isPartUpload = (request: { method: string; url: string }) =>
  request.method === 'PUT' && /[?&]partNumber=/u.test(request.url);
const isPlainPut = (request: { method: string; url: string }) =>
  request.method === 'PUT' && request.url.includes('x-id=PutObject');

async function pendingUploads(prefix: string) {
  const answer = await raw.send(new ListMultipartUploadsCommand({ Bucket: 'faults', Prefix: `${prefix}/` }));
  return answer.Uploads ?? [];
}

describe('S3 artifact store against a failing S3 (fault proxy in front of moto)', () => {
  it('retries a put answered 503 twice and stores the file once', async () => {
    const { store } = storeBehindProxy();
    let failures = 0;
    proxy.setRule((request) => (isPlainPut(request) && failures++ < 2 ? { status: 503 } : 'pass'));
    await store.put('retried.txt', 'made it');
    expect(failures).toBe(3);
    expect(await collectText(await store.get('retried.txt'))).toBe('made it');
  });

  it('retries parts of a multipart upload answered 500 and assembles the file intact', async () => {
    const { store, prefix } = storeBehindProxy();
    const failed = new Set<string>();
    proxy.setRule((request) => {
      const part = /partNumber=(\d+)/u.exec(request.url)?.[1];
      if (isPartUpload(request) && part !== undefined && !failed.has(part)) {
        failed.add(part);
        return { status: 500 };
      }
      return 'pass';
    });
    const bytes = patternBytes(11 * mebibyte, 9);
    await store.put(
      'parts.bin',
      (async function* () {
        for (let offset = 0; offset < bytes.byteLength; offset += mebibyte)
          yield bytes.subarray(offset, offset + mebibyte);
      })(),
    );
    expect([...failed].sort()).toEqual(['1', '2', '3']);
    const read = await collectBytes(await store.get('parts.bin'));
    expect(Buffer.compare(Buffer.from(read), Buffer.from(bytes))).toBe(0);
    expect(await pendingUploads(prefix)).toEqual([]);
  });

  it('gives up on a stalled request after the idle timeout and retries it', async () => {
    const { store } = storeBehindProxy();
    await store.put('slow.txt', 'eventually');
    let stalls = 0;
    proxy.setRule((request) => (request.method === 'GET' && stalls++ === 0 ? { stallMs: 5000 } : 'pass'));
    const started = Date.now();
    expect(await collectText(await store.get('slow.txt'))).toBe('eventually');
    expect(stalls).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries a listing page answered 503 and still lists every entry', async () => {
    const { store } = storeBehindProxy();
    for (const name of ['a.txt', 'b.txt', 'dir/c.txt']) await store.put(name, name);
    let failures = 0;
    proxy.setRule((request) =>
      request.method === 'GET' && request.url.includes('list-type=2') && failures++ === 0
        ? { status: 503 }
        : 'pass',
    );
    expect((await store.list()).map((entry) => entry.path)).toEqual(['a.txt', 'b.txt', 'dir']);
    expect(failures).toBe(2);
  });

  it('reports a multipart upload whose parts keep failing as failed, aborts it, and shows no object', async () => {
    const { store, prefix } = storeBehindProxy({ maxAttempts: 2 });
    await store.put('kept.bin', 'the old version');
    proxy.setRule((request) => (isPartUpload(request) ? { status: 500 } : 'pass'));
    const bytes = patternBytes(11 * mebibyte, 3);
    await expect(store.put('kept.bin', bytes)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
    await expect(store.put('never.bin', bytes)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
    proxy.setRule(() => 'pass');
    expect(await store.stat('never.bin')).toBeUndefined();
    expect(await collectText(await store.get('kept.bin'))).toBe('the old version');
    expect(await pendingUploads(prefix)).toEqual([]);
  });

  it('aborts a streamed upload whose parts keep failing, keeping the old version and leaving no parts', async () => {
    const { store, prefix } = storeBehindProxy({ maxAttempts: 2 });
    await store.put('kept.bin', 'the old version');
    proxy.setRule((request) => (isPartUpload(request) ? { status: 500 } : 'pass'));
    const bytes = patternBytes(16 * mebibyte, 4);
    await expect(store.put('kept.bin', chunked(bytes, 256 * 1024))).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringContaining('UploadPart'),
    });
    proxy.setRule(() => 'pass');
    expect(await collectText(await store.get('kept.bin'))).toBe('the old version');
    expect(await pendingUploads(prefix)).toEqual([]);
  });

  it('aborts a streamed upload whose source fails half-way: nothing becomes visible', async () => {
    const { store, prefix } = storeBehindProxy();
    async function* breaksAfterTwoParts() {
      yield* chunked(patternBytes(12 * mebibyte, 6), mebibyte);
      throw new Error('client went away');
    }
    await expect(store.put('half.bin', breaksAfterTwoParts())).rejects.toThrow(/client went away/u);
    expect(await store.stat('half.bin')).toBeUndefined();
    expect(await pendingUploads(prefix)).toEqual([]);
  });

  it('reports a single-part put that keeps answering 503 as TEMPORARILY_UNAVAILABLE and writes nothing', async () => {
    const { store } = storeBehindProxy({ maxAttempts: 3 });
    proxy.setRule((request) => (isPlainPut(request) ? { status: 503 } : 'pass'));
    await expect(store.put('down.txt', 'x')).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    expect(
      proxy.requests.filter((request) => isPlainPut(request) && request.url.includes('down.txt')),
    ).toHaveLength(3);
    proxy.setRule(() => 'pass');
    expect(await store.stat('down.txt')).toBeUndefined();
  });

  it('reports a stream that stalls forever on every attempt as failed, with nothing written', async () => {
    const { store } = storeBehindProxy({ maxAttempts: 2 });
    proxy.setRule((request) => (isPlainPut(request) ? { stallMs: 60_000 } : 'pass'));
    await expect(store.put('stalled.txt', 'x')).rejects.toThrow();
    proxy.setRule(() => 'pass');
    expect(await store.stat('stalled.txt')).toBeUndefined();
  });
});
