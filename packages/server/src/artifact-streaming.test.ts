import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

const megabyte = 1024 * 1024;
const uploadMegabytes = 1024;

// The client runs in its own process so the RSS sampled here is the server's alone.
const clientScript = `
const [url, megabytes] = process.argv.slice(1);
const chunk = new Uint8Array(1024 * 1024).fill(7);
const body = new ReadableStream({
  sent: 0,
  pull(controller) {
    if (this.sent === Number(megabytes)) return controller.close();
    this.sent += 1;
    controller.enqueue(chunk);
  },
});
const put = await fetch(url, { method: 'PUT', body, duplex: 'half' });
if (put.status !== 200) throw new Error('PUT ' + put.status);
let received = 0;
for await (const part of (await fetch(url)).body) received += part.length;
console.log(received);
`;

describe('artifact streaming', () => {
  it(`moves ${uploadMegabytes} MB up and down through the proxy with the server's RSS growing < 64 MB`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-server-stream-'));
    const app = createServer({
      trackingStore: createMemoryTrackingStore(),
      artifactStore: createFileArtifactStore({ root }),
    });
    try {
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 10);
      const url = `${address}/api/2.0/mlflow-artifacts/artifacts/big/blob.bin`;
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--input-type=module',
        '-e',
        clientScript,
        url,
        String(uploadMegabytes),
      ]);
      clearInterval(sampler);
      expect(Number(stdout.trim())).toBe(uploadMegabytes * megabyte);
      expect((await stat(join(root, 'big/blob.bin'))).size).toBe(uploadMegabytes * megabyte);
      const grownMb = (peak - before) / megabyte;
      console.log(
        `artifact streaming: ${uploadMegabytes} MB up and down, server RSS grew ${grownMb.toFixed(1)} MB`,
      );
      expect(grownMb).toBeLessThan(64);
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
