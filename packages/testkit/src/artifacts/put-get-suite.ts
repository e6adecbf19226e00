import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { chunked, collectBytes, collectText, patternBytes } from '../stream-helpers.js';
import type { ArtifactSuiteContext } from './describe-artifact-store.js';

/** Put and get: every body type, empty files, overwrite, missing files. */
export function putGetSuite(context: ArtifactSuiteContext): void {
  const { store } = context;

  it('round-trips a Uint8Array', async () => {
    const bytes = patternBytes(1000);
    await store().put('data.bin', bytes);
    expect(await collectBytes(await store().get('data.bin'))).toEqual(bytes);
  });

  it('round-trips every byte value', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store().put('all-bytes.bin', bytes);
    expect(await collectBytes(await store().get('all-bytes.bin'))).toEqual(bytes);
  });

  it('stores a string as UTF-8', async () => {
    await store().put('hello.txt', 'héllo wörld ✓');
    const bytes = await collectBytes(await store().get('hello.txt'));
    expect(bytes).toEqual(new TextEncoder().encode('héllo wörld ✓'));
  });

  it('stores an async iterable of chunks', async () => {
    const bytes = patternBytes(10_000, 7);
    await store().put('chunks.bin', chunked(bytes, 333));
    expect(await collectBytes(await store().get('chunks.bin'))).toEqual(bytes);
  });

  it('stores a Node Readable', async () => {
    const bytes = patternBytes(50_000, 3);
    await store().put(
      'readable.bin',
      Readable.from([Buffer.from(bytes.slice(0, 20_000)), Buffer.from(bytes.slice(20_000))]),
    );
    expect(await collectBytes(await store().get('readable.bin'))).toEqual(bytes);
  });

  it('stores a zero-byte file', async () => {
    await store().put('empty.txt', new Uint8Array(0));
    expect((await collectBytes(await store().get('empty.txt'))).byteLength).toBe(0);
    expect(await store().stat('empty.txt')).toEqual({ path: 'empty.txt', is_dir: false, file_size: 0 });
  });

  it('stores an empty string and an empty stream as zero-byte files', async () => {
    await store().put('empty-string.txt', '');
    await store().put('empty-stream.bin', chunked(new Uint8Array(0), 10));
    expect((await store().stat('empty-string.txt'))?.file_size).toBe(0);
    expect((await store().stat('empty-stream.bin'))?.file_size).toBe(0);
  });

  it('overwrites a file', async () => {
    await store().put('note.txt', 'first version, longer');
    await store().put('note.txt', 'second');
    expect(await collectText(await store().get('note.txt'))).toBe('second');
    expect((await store().stat('note.txt'))?.file_size).toBe(6);
  });

  it('implies intermediate directories', async () => {
    await store().put('a/b/c/deep.txt', 'deep');
    expect(await collectText(await store().get('a/b/c/deep.txt'))).toBe('deep');
    expect(await store().stat('a/b')).toEqual({ path: 'a/b', is_dir: true });
  });

  it('fails getting a missing file with RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCairnError(store().get('missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('fails getting a directory with RESOURCE_DOES_NOT_EXIST', async () => {
    await store().put('dir/file.txt', 'x');
    await expectCairnError(store().get('dir'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('describes a file, a directory and nothing with stat', async () => {
    await store().put('stats/file.txt', '12345');
    expect(await store().stat('stats/file.txt')).toEqual({
      path: 'stats/file.txt',
      is_dir: false,
      file_size: 5,
    });
    const directory = await store().stat('stats');
    expect(directory).toMatchObject({ path: 'stats', is_dir: true });
    expect(directory?.file_size).toBeUndefined();
    expect(await store().stat('nothing/here')).toBeUndefined();
  });

  it('can read a file twice', async () => {
    await store().put('twice.txt', 'again');
    expect(await collectText(await store().get('twice.txt'))).toBe('again');
    expect(await collectText(await store().get('twice.txt'))).toBe('again');
  });
}
