import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { collectBytes, patternBytes } from '../stream-helpers.js';
import type { ArtifactSuiteContext } from './describe-artifact-store.js';

const tenMegabytes = 10 * 1024 * 1024;

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.byteLength === right.byteLength && Buffer.compare(Buffer.from(left), Buffer.from(right)) === 0;
}

/** Streams: large bodies streamed in and out with matching bytes. */
export function streamsSuite(context: ArtifactSuiteContext): void {
  const { store } = context;

  it('round-trips 10 MB streamed from a Node Readable', { timeout: 60_000 }, async () => {
    const bytes = patternBytes(tenMegabytes, 42);
    const chunkSize = 256 * 1024;
    const source = Readable.from(
      (function* () {
        for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
          yield Buffer.from(bytes.subarray(offset, offset + chunkSize));
        }
      })(),
    );
    await store().put('big/blob.bin', source);
    expect((await store().stat('big/blob.bin'))?.file_size).toBe(tenMegabytes);
    const read = await collectBytes(await store().get('big/blob.bin'));
    expect(sameBytes(read, bytes)).toBe(true);
  });

  it('yields Uint8Array chunks from get', async () => {
    await store().put('chunky.bin', patternBytes(300_000));
    for await (const chunk of await store().get('chunky.bin')) expect(chunk).toBeInstanceOf(Uint8Array);
  });

  it('stores a stream of many tiny chunks', async () => {
    const bytes = patternBytes(5000, 9);
    async function* tiny() {
      for (const byte of bytes) yield Uint8Array.of(byte);
    }
    await store().put('tiny.bin', tiny());
    expect(sameBytes(await collectBytes(await store().get('tiny.bin')), bytes)).toBe(true);
  });

  it('leaves no file when the body stream fails', async () => {
    async function* failing() {
      yield new Uint8Array(100);
      throw new Error('source broke');
    }
    await expect(store().put('broken.bin', failing())).rejects.toThrow();
    expect(await store().stat('broken.bin')).toBeUndefined();
  });

  it('keeps the old file when an overwrite stream fails', async () => {
    await store().put('stable.txt', 'original');
    async function* failing() {
      yield new TextEncoder().encode('partial');
      throw new Error('source broke');
    }
    await expect(store().put('stable.txt', failing())).rejects.toThrow();
    expect(new TextDecoder().decode(await collectBytes(await store().get('stable.txt')))).toBe('original');
  });
}
