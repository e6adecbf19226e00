import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ArtifactStore } from '@cairn/core';
import { collectBytes, collectText, patternBytes } from '@cairn/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ArtifactResolver } from './s3-artifact-resolver.js';
import { createS3ArtifactStore } from './s3-artifact-store.js';
import { startTestS3Server, type TestS3Server } from './testing/moto-server.js';

const mebibyte = 1024 * 1024;
let server: TestS3Server;
let raw: S3Client;
let counter = 0;

beforeAll(async () => {
  server = await startTestS3Server();
  await server.createBucket('scale');
  raw = new S3Client(server.clientConfig);
});

afterAll(async () => {
  raw?.destroy();
  await server?.stop();
});

function freshStore(options: { partSizeBytes?: number } = {}): { store: ArtifactStore; prefix: string } {
  counter += 1;
  const prefix = `scale/${counter}`;
  const store = createS3ArtifactStore({
    uri: `s3://scale/${prefix}`,
    endpoint: server.endpoint,
    credentials: server.credentials,
    env: {},
    ...options,
  });
  return { store, prefix };
}

describe('S3 artifact store at scale (moto server)', () => {
  it('uploads a body larger than the part size in parts, streamed, and reads it back intact', async () => {
    const { store, prefix } = freshStore({ partSizeBytes: 5 * mebibyte });
    const bytes = patternBytes(12 * mebibyte + 123, 5);
    async function* chunks() {
      for (let offset = 0; offset < bytes.byteLength; offset += 64 * 1024)
        yield bytes.subarray(offset, offset + 64 * 1024);
    }
    await store.put('model/weights.bin', chunks());
    // A multipart object's ETag ends in -<part count>: 12 MiB in 5 MiB parts is three parts.
    const head = await raw.send(
      new HeadObjectCommand({ Bucket: 'scale', Key: `${prefix}/model/weights.bin` }),
    );
    expect(head.ETag).toMatch(/-3"?$/u);
    expect(head.ContentLength).toBe(bytes.byteLength);
    const read = await collectBytes(await store.get('model/weights.bin'));
    expect(Buffer.compare(Buffer.from(read), Buffer.from(bytes))).toBe(0);
    expect(await store.list('model')).toEqual([
      { path: 'model/weights.bin', is_dir: false, file_size: bytes.byteLength },
    ]);
  });

  it('lists and deletes past 1,000 keys (several ListObjectsV2 pages, two DeleteObjects batches)', {
    timeout: 120_000,
  }, async () => {
    const { store, prefix } = freshStore();
    const names = Array.from({ length: 1234 }, (_, index) => `f${String(index).padStart(5, '0')} ü.txt`);
    // Seed through the SDK directly, 32 at a time: the store's put is proven elsewhere.
    for (let start = 0; start < names.length; start += 32) {
      await Promise.all(
        names
          .slice(start, start + 32)
          .map((name) =>
            raw.send(new PutObjectCommand({ Bucket: 'scale', Key: `${prefix}/many/${name}`, Body: name })),
          ),
      );
    }
    await store.put('many/sub dir/nested.txt', 'nested');
    const listed = await store.list('many');
    expect(listed).toHaveLength(1235);
    expect(listed.filter((entry) => entry.is_dir)).toEqual([{ path: 'many/sub dir', is_dir: true }]);
    expect(listed.find((entry) => entry.path === 'many/f01233 ü.txt')).toEqual({
      path: 'many/f01233 ü.txt',
      is_dir: false,
      file_size: Buffer.byteLength('f01233 ü.txt'),
    });
    await store.delete('many');
    expect(await store.list('many')).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('round-trips keys with spaces, unicode and URL-special characters, and zero-byte streams', async () => {
    const { store } = freshStore();
    const names = [
      'a b/c d.txt',
      'ß/∂ƒ©.bin',
      '名前/ファイル 1.txt',
      'q?x=1&y=2#frag.txt',
      '100% done.txt',
      'tab\there.txt',
    ];
    for (const name of names) await store.put(name, `body of ${name}`);
    for (const name of names) expect(await collectText(await store.get(name))).toBe(`body of ${name}`);
    async function* nothing(): AsyncGenerator<Uint8Array> {}
    await store.put('empty/zero.bin', nothing());
    expect(await store.stat('empty/zero.bin')).toEqual({
      path: 'empty/zero.bin',
      is_dir: false,
      file_size: 0,
    });
    expect((await collectBytes(await store.get('empty/zero.bin'))).byteLength).toBe(0);
  });

  it('copies inside S3 and presigns GET and PUT URLs a plain HTTP client can use', async () => {
    const { store } = freshStore();
    await store.put('src/a b.txt', 'copied');
    await store.copy?.('src/a b.txt', 'dst/ü.txt');
    expect(await collectText(await store.get('dst/ü.txt'))).toBe('copied');
    await expect(store.copy?.('src/missing.txt', 'dst/x.txt')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });

    const putUrl = await store.presign?.('presigned/up load.txt', { method: 'PUT', expiresInSeconds: 60 });
    const put = await fetch(String(putUrl), { method: 'PUT', body: 'sent directly' });
    expect(put.status).toBe(200);
    const getUrl = await store.presign?.('presigned/up load.txt', { method: 'GET', expiresInSeconds: 60 });
    expect(await (await fetch(String(getUrl))).text()).toBe('sent directly');
  });

  it('runs a multipart upload through presigned part URLs, and aborts one without a trace', async () => {
    const { store, prefix } = freshStore();
    const part1 = patternBytes(5 * mebibyte, 1);
    const part2 = patternBytes(1000, 2);
    const upload = await store.createMultipartUpload?.('mpu/big.bin', 2);
    expect(upload?.parts.map((part) => part.partNumber)).toEqual([1, 2]);
    const etags = await Promise.all(
      [part1, part2].map(async (body, index) => {
        const answer = await fetch(String(upload?.parts[index]?.url), {
          method: 'PUT',
          body: Buffer.from(body),
        });
        expect(answer.status).toBe(200);
        return { partNumber: index + 1, etag: String(answer.headers.get('etag')) };
      }),
    );
    // Parts may complete in any order; the store sorts them.
    await store.completeMultipartUpload?.('mpu/big.bin', String(upload?.uploadId), etags.reverse());
    expect((await store.stat('mpu/big.bin'))?.file_size).toBe(part1.byteLength + part2.byteLength);

    const aborted = await store.createMultipartUpload?.('mpu/aborted.bin', 1);
    await fetch(String(aborted?.parts[0]?.url), { method: 'PUT', body: Buffer.from(part2) });
    await store.abortMultipartUpload?.('mpu/aborted.bin', String(aborted?.uploadId));
    expect(await store.stat('mpu/aborted.bin')).toBeUndefined();
    const pending = await raw.send(
      new ListMultipartUploadsCommand({ Bucket: 'scale', Prefix: `${prefix}/` }),
    );
    expect(pending.Uploads ?? []).toEqual([]);
    await expect(store.createMultipartUpload?.('mpu/x.bin', 10_001)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });

  it('resolves s3:// URIs from MLflow variables (MLFLOW_S3_ENDPOINT_URL, AWS_*) and leaves other schemes alone', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, server.env);
    try {
      const store = s3ArtifactResolver('s3://scale/resolved/run-1/artifacts');
      expect(store?.rootUri).toBe('s3://scale/resolved/run-1/artifacts');
      await store?.put('hello.txt', 'hi');
      expect(await store?.list()).toEqual([{ path: 'hello.txt', is_dir: false, file_size: 2 }]);
      expect(s3ArtifactResolver('file:///tmp/x')).toBeUndefined();
      expect(s3ArtifactResolver('mlflow-artifacts:/1/x')).toBeUndefined();
    } finally {
      for (const key of Object.keys(server.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('names the bucket when it does not exist', async () => {
    const store = createS3ArtifactStore({
      uri: 's3://no-such-bucket/x',
      endpoint: server.endpoint,
      credentials: server.credentials,
      env: {},
    });
    await expect(store.put('a.txt', 'a')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(store.list()).rejects.toThrow(/no-such-bucket/u);
  });
});
