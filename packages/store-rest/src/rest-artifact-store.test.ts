import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestArtifactStore } from './rest-artifact-store.js';
import { createRestTransport } from './rest-transport.js';

let close: () => Promise<void> = async () => {};
afterEach(async () => {
  await close();
});

/** A proxy stand-in that drains every PUT and counts its bytes. */
async function drainingServer() {
  const received: number[] = [];
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => {
      received.push(bytes);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return { received, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('REST artifact store', () => {
  it('streams an upload without keeping the chunks it has sent', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { received, baseUrl } = await drainingServer();
    const store = createRestArtifactStore({
      transport: createRestTransport({ baseUrl, env: {} }),
      prefix: '1/run/artifacts',
      rootUri: 'mlflow-artifacts:/1/run/artifacts',
    });
    const chunks = 96;
    const chunkBytes = 1024 * 1024;
    let heldAtEnd = Number.POSITIVE_INFINITY;
    async function* body() {
      for (let index = 0; index < chunks; index += 1) {
        if (index === chunks - 1) {
          gc();
          heldAtEnd = process.memoryUsage().arrayBuffers;
        }
        // A fresh buffer each time, as a file read stream gives: kept chunks would add up.
        yield Buffer.alloc(chunkBytes, index);
      }
    }
    gc();
    const before = process.memoryUsage().arrayBuffers;
    await store.put('model.bin', body());
    expect(received).toEqual([chunks * chunkBytes]);
    // Before the fix fetch's request clone held all 95 MB sent so far; now only chunks in flight remain.
    expect((heldAtEnd - before) / chunkBytes).toBeLessThan(32);
  });

  it('collects a streamed body into one replayable request when told not to stream (what browsers need)', async () => {
    const { received, baseUrl } = await drainingServer();
    const store = createRestArtifactStore({
      transport: createRestTransport({ baseUrl }),
      prefix: '1/run/artifacts',
      rootUri: 'mlflow-artifacts:/1/run/artifacts',
      streamUploads: false,
    });
    async function* body() {
      yield new Uint8Array(3);
      yield new Uint8Array(4);
    }
    await store.put('two-chunks.bin', body());
    expect(received).toEqual([7]);
  });
});
