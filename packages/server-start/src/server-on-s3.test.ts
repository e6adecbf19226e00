import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCairnClient } from '@cairn/client';
import { createS3ArtifactStore } from '@cairn/store-s3';
import { setTestS3Environment, startTestS3Server, type TestS3Server } from '@cairn/store-s3/testing';
import { collectText, patternBytes } from '@cairn/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactsDestination } from './open-server-stores.js';
import { resolveServerOptions, type ServerOptionsInput } from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

const megabyte = 1024 * 1024;
const proxyBucket = 'cairn-proxy';
const directBucket = 'cairn-direct';

let s3: TestS3Server;
let server: RunningServer | undefined;
let dir = '';
let restoreEnvironment: (() => void) | undefined;

// A fresh machine first installs moto into a venv (about half a minute), hence the long hook timeout.
beforeAll(async () => {
  s3 = await startTestS3Server();
  await s3.createBucket(proxyBucket);
  await s3.createBucket(directBucket);
  // The server and the client read MLflow's S3 variables, exactly as a deployment would set them.
  restoreEnvironment = setTestS3Environment(s3);
}, 300_000);

afterAll(async () => {
  restoreEnvironment?.();
  await s3?.stop();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function start(flags: ServerOptionsInput): Promise<RunningServer> {
  dir = await mkdtemp(join(tmpdir(), 'cairn-server-s3-'));
  server = await startServer(resolveServerOptions({ port: 0, logRequests: false, ...flags }, {}), {
    cwd: dir,
  });
  return server;
}

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function createRun(url: string): Promise<{ experimentId: string; runId: string; artifactUri: string }> {
  const created = await postJson(`${url}/api/2.0/mlflow/experiments/create`, { name: `e-${Date.now()}` });
  const experimentId = created.body.experiment_id as string;
  const run = await postJson(`${url}/api/2.0/mlflow/runs/create`, { experiment_id: experimentId });
  const info = (run.body.run as { info: { run_id: string; artifact_uri: string } }).info;
  return { experimentId, runId: info.run_id, artifactUri: info.artifact_uri };
}

/** The S3 objects under a prefix, read straight from the bucket (not through the server). */
const bucketStore = (bucket: string, prefix: string) =>
  createS3ArtifactStore({ uri: `s3://${bucket}/${prefix}` });

/** Multipart uploads S3 still holds open in a bucket (moto answers ListMultipartUploads without signing). */
async function openUploads(bucket: string): Promise<string> {
  return (await fetch(`${s3.endpoint}/${bucket}?uploads`)).text();
}

// The client runs in its own process so the RSS sampled here is the server's alone. It generates the bytes
// on the fly (1 MiB of random bytes, each copy stamped with its index) and prints the SHA-256 of what it
// sent and of what it read back.
const streamingClient = `
import { createHash, randomBytes } from 'node:crypto';
const [url, megabytes] = process.argv.slice(1);
const base = randomBytes(1024 * 1024);
const sent = createHash('sha256');
let index = 0;
const body = new ReadableStream({
  pull(controller) {
    if (index === Number(megabytes)) return controller.close();
    const chunk = Buffer.from(base);
    chunk.writeUInt32BE(index, 0);
    index += 1;
    sent.update(chunk);
    controller.enqueue(chunk);
  },
});
const put = await fetch(url, { method: 'PUT', body, duplex: 'half' });
if (put.status !== 200) throw new Error('PUT ' + put.status + ' ' + (await put.text()));
console.log('uploaded');
const received = createHash('sha256');
let bytes = 0;
for await (const part of (await fetch(url)).body) { bytes += part.length; received.update(part); }
console.log(JSON.stringify({ sent: sent.digest('hex'), received: received.digest('hex'), bytes }));
`;

describe('cairn server --artifacts-destination s3://bucket/prefix', () => {
  it('streams 256 MB up through the proxy into S3 and back with the server RSS growing < 64 MB', async () => {
    const uploadMegabytes = 256;
    const { url } = await start({ artifactsDestination: `s3://${proxyBucket}/mlartifacts` });
    const { experimentId, runId, artifactUri } = await createRun(url);
    expect(artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    const path = `${experimentId}/${runId}/artifacts/big/blob.bin`;
    // Warm up first: loading the AWS SDK and opening its connections is a one-time cost, not buffering.
    const warmUrl = `${url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/warm.txt`;
    expect((await fetch(warmUrl, { method: 'PUT', body: 'warm' })).status).toBe(200);
    expect(await (await fetch(warmUrl)).text()).toBe('warm');

    const before = process.memoryUsage().rss;
    // The peak RSS of each phase: the client says when its upload finished.
    const peaks = { upload: before, download: before };
    let phase: keyof typeof peaks = 'upload';
    const sampler = setInterval(() => {
      peaks[phase] = Math.max(peaks[phase], process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        streamingClient,
        `${url}/api/2.0/mlflow-artifacts/artifacts/${path}`,
        String(uploadMegabytes),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('uploaded\n')) phase = 'download';
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(() =>
      clearInterval(sampler),
    );
    expect(code, stderr).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      sent: string;
      received: string;
      bytes: number;
    };
    expect(result.bytes).toBe(uploadMegabytes * megabyte);
    expect(result.received).toBe(result.sent);
    const grown = (rss: number) => (rss - before) / megabyte;
    console.log(
      `server on S3: ${uploadMegabytes} MB up and down through the proxy in ${seconds.toFixed(1)} s ` +
        `(${((2 * uploadMegabytes) / seconds).toFixed(0)} MB/s); server RSS grew ` +
        `${grown(peaks.upload).toFixed(1)} MB uploading, ${grown(peaks.download).toFixed(1)} MB downloading`,
    );
    expect(grown(Math.max(peaks.upload, peaks.download))).toBeLessThan(64);

    // The object is in the bucket under the destination's prefix, whole, and nothing was left half-uploaded.
    const object = await bucketStore(proxyBucket, 'mlartifacts').stat(path);
    expect(object).toEqual({ path, is_dir: false, file_size: uploadMegabytes * megabyte });
    expect(await openUploads(proxyBucket)).not.toContain('<UploadId>');
  }, 300_000);

  it('lists, downloads and deletes through the proxy, and answers 404 for a missing file', async () => {
    const { url } = await start({ artifactsDestination: `s3://${proxyBucket}/small` });
    const proxy = `${url}/api/2.0/mlflow-artifacts/artifacts`;
    const key = 'dir/with space/ünïcødé.txt';
    const put = await fetch(`${proxy}/1/r/artifacts/${encodeURI(key)}`, { method: 'PUT', body: 'héllo' });
    expect(put.status).toBe(200);
    await fetch(`${proxy}/1/r/artifacts/dir/empty.bin`, { method: 'PUT', body: new Uint8Array() });
    expect(await (await fetch(`${proxy}?path=1/r/artifacts/dir`)).json()).toEqual({
      files: [
        // An empty file has no file_size on the wire, as MLflow's proto JSON drops a zero.
        { path: 'empty.bin', is_dir: false },
        { path: 'with space', is_dir: true },
      ],
    });
    const got = await fetch(`${proxy}/1/r/artifacts/${encodeURI(key)}`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('héllo');
    expect(await (await fetch(`${proxy}?path=1/r/artifacts/absent`)).json()).toEqual({});
    const missing = await fetch(`${proxy}/1/r/artifacts/none.txt`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await fetch(`${proxy}/1/r/artifacts/dir`, { method: 'DELETE' })).status).toBe(200);
    expect(await bucketStore(proxyBucket, 'small').list('1/r/artifacts')).toEqual([]);
  });

  it('maps mpu/create|complete|abort onto S3 multipart with presigned part URLs', async () => {
    const { url } = await start({ artifactsDestination: `s3://${proxyBucket}/mpu` });
    const mpu = `${url}/api/2.0/mlflow-artifacts/mpu`;
    const partSize = 5 * megabyte;
    const bytes = Buffer.from(patternBytes(partSize + 1234));

    // The URL names the directory and `path` the file, as the official client sends them.
    const created = await postJson(`${mpu}/create/1/r/artifacts/model`, {
      path: 'weights.bin',
      num_parts: 2,
    });
    expect(created.status).toBe(200);
    const uploadId = created.body.upload_id as string;
    const credentials = created.body.credentials as { url: string; part_number: number; headers: object }[];
    expect(credentials.map((credential) => credential.part_number)).toEqual([1, 2]);
    expect(credentials[0]?.url).toMatch(
      new RegExp(`^${s3.endpoint}/${proxyBucket}/mpu/1/r/artifacts/model/weights\\.bin\\?`, 'u'),
    );
    const parts = [];
    for (const credential of credentials) {
      const start = (credential.part_number - 1) * partSize;
      const response = await fetch(credential.url, {
        method: 'PUT',
        body: bytes.subarray(start, start + partSize),
      });
      expect(response.status).toBe(200);
      parts.push({
        part_number: credential.part_number,
        etag: response.headers.get('etag') ?? '',
        url: credential.url,
      });
    }
    // Before completion nothing is visible at the path.
    expect(
      (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/model/weights.bin`)).status,
    ).toBe(404);
    const completed = await postJson(`${mpu}/complete/1/r/artifacts/model`, {
      path: '/home/me/weights.bin',
      upload_id: uploadId,
      parts,
    });
    expect(completed).toEqual({ status: 200, body: {} });
    const read = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/model/weights.bin`);
    expect(Buffer.from(await read.arrayBuffer()).equals(bytes)).toBe(true);

    // Abort: a part was uploaded, yet no object appears and S3 holds no open upload.
    const second = await postJson(`${mpu}/create/1/r/artifacts/model`, { path: 'aborted.bin', num_parts: 1 });
    const secondId = second.body.upload_id as string;
    const [credential] = second.body.credentials as { url: string }[];
    expect(
      (await fetch(credential?.url ?? '', { method: 'PUT', body: bytes.subarray(0, 1024) })).status,
    ).toBe(200);
    expect(await openUploads(proxyBucket)).toContain(secondId);
    expect(
      await postJson(`${mpu}/abort/1/r/artifacts/model`, { path: 'aborted.bin', upload_id: secondId }),
    ).toEqual({
      status: 200,
      body: {},
    });
    expect(await openUploads(proxyBucket)).not.toContain(secondId);
    expect(await bucketStore(proxyBucket, 'mpu').stat('1/r/artifacts/model/aborted.bin')).toBeUndefined();

    // Completing an upload that does not exist fails loudly and leaves the finished file as it was.
    const bogus = await postJson(`${mpu}/complete/1/r/artifacts/model`, {
      path: 'weights.bin',
      upload_id: 'no-such-upload',
      parts,
    });
    expect(bogus.status).toBeGreaterThanOrEqual(400);
    expect(bogus.body.error_code).toEqual(expect.any(String));
    const again = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/model/weights.bin`);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);

    // A bad part count names the field and the limit.
    const tooMany = await postJson(`${mpu}/create/1/r/artifacts/model`, { path: 'x.bin', num_parts: 10_001 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(tooMany.body.message).toMatch(/10000/u);
  });

  it('refuses a destination it cannot serve, naming the flag', () => {
    for (const destination of ['gs://bucket/x', 'mlflow-artifacts:/x', 'http://other:5000/x']) {
      expect(() => openArtifactsDestination(destination, '/tmp')).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER_VALUE',
          details: { field: 'artifacts_destination' },
        }),
      );
    }
  });
});

describe('cairn server --no-serve-artifacts --default-artifact-root s3://bucket/prefix', () => {
  it('hands out s3:// URIs and @cairn/client writes and reads S3 directly', async () => {
    const { url } = await start({ serveArtifacts: false, defaultArtifactRoot: `s3://${directBucket}/root` });
    const client = createCairnClient({ trackingUri: url });
    try {
      const experimentId = await client.createExperiment('direct');
      const run = await client.createRun(experimentId);
      expect(run.info.artifact_uri).toBe(
        `s3://${directBucket}/root/${experimentId}/${run.info.run_id}/artifacts`,
      );

      const local = join(dir, 'tree');
      await mkdir(join(local, 'sub dir'), { recursive: true });
      const big = Buffer.alloc(9 * megabyte, 7);
      await writeFile(join(local, 'big.bin'), big);
      await writeFile(join(local, 'sub dir', 'ünïcødé.txt'), 'héllo');
      await client.logArtifacts(run.info.run_id, local, 'tree');

      // The bytes are in the bucket, written by the client, not through the server's proxy.
      const inBucket = bucketStore(directBucket, `root/${experimentId}/${run.info.run_id}/artifacts`);
      expect(await inBucket.stat('tree/big.bin')).toEqual({
        path: 'tree/big.bin',
        is_dir: false,
        file_size: big.length,
      });
      expect(await collectText(await inBucket.get('tree/sub dir/ünïcødé.txt'))).toBe('héllo');
      expect((await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts?path=x`)).status).toBe(503);

      // The server lists the run's S3 artifacts itself (MLflow's artifacts/list).
      const listed = (await (
        await fetch(`${url}/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=tree`)
      ).json()) as { root_uri: string; files: unknown[] };
      expect(listed).toEqual({
        root_uri: run.info.artifact_uri,
        files: [
          { path: 'tree/big.bin', is_dir: false, file_size: big.length },
          { path: 'tree/sub dir', is_dir: true },
        ],
      });

      const downloaded = await client.downloadArtifacts({
        artifactUri: `runs:/${run.info.run_id}/tree`,
        dstPath: join(dir, 'download'),
      });
      expect((await readFile(join(downloaded, 'big.bin'))).equals(big)).toBe(true);
      expect(await readFile(join(downloaded, 'sub dir', 'ünïcødé.txt'), 'utf8')).toBe('héllo');
      const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
      expect(digest(await readFile(join(downloaded, 'big.bin')))).toBe(digest(big));
    } finally {
      await client.close();
    }
  });
});
