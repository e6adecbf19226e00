import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileArtifactStore } from './file-artifact-store.js';

/** A root with `outside/secret.txt` beside it, and symlinks from inside the root to outside and inside. */
async function rootWithLinks() {
  const base = await mkdtemp(join(tmpdir(), 'cairn-artifact-links-'));
  const outside = join(base, 'outside');
  const root = join(base, 'root');
  await mkdir(outside);
  await mkdir(join(root, 'real'), { recursive: true });
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(root, 'real', 'kept.txt'), 'kept');
  await symlink(outside, join(root, 'out-dir'));
  await symlink(join(outside, 'secret.txt'), join(root, 'out-file'));
  await symlink(join(outside, 'missing'), join(root, 'dangling'));
  await symlink(join(root, 'real'), join(root, 'in-dir'));
  return { outside, root, store: createFileArtifactStore({ root }) };
}

const invalid = { code: 'INVALID_PARAMETER_VALUE' };

describe('file artifact store symlink confinement', () => {
  it('refuses to read, stat or list through a symlink that leaves the root', async () => {
    const { store } = await rootWithLinks();
    await expect(store.get('out-file')).rejects.toMatchObject(invalid);
    await expect(store.get('out-dir/secret.txt')).rejects.toMatchObject(invalid);
    await expect(store.stat('out-dir/secret.txt')).rejects.toMatchObject(invalid);
    await expect(store.list('out-dir')).rejects.toMatchObject(invalid);
    // The listing of the root leaves out what it cannot vouch for, rather than failing.
    expect((await store.list('')).map((entry) => entry.path)).toEqual(['in-dir', 'real']);
  });

  it('refuses to write a new file under a symlinked folder that leaves the root', async () => {
    const { outside, store } = await rootWithLinks();
    await expect(store.put('out-dir/new.txt', 'x')).rejects.toMatchObject(invalid);
    await expect(store.put('out-dir/deeper/new.txt', 'x')).rejects.toMatchObject(invalid);
    await expect(store.put('dangling/new.txt', 'x')).rejects.toMatchObject(invalid);
    await expect(store.put('out-file', 'overwritten')).rejects.toMatchObject(invalid);
    expect((await readdir(outside)).sort()).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('follows symlinks that stay inside the root', async () => {
    const { root, store } = await rootWithLinks();
    await store.put('in-dir/new.txt', 'inside');
    expect(await readFile(join(root, 'real', 'new.txt'), 'utf8')).toBe('inside');
    expect((await store.list('in-dir')).map((entry) => entry.path)).toEqual([
      'in-dir/kept.txt',
      'in-dir/new.txt',
    ]);
  });

  it('deletes a symlink that leaves the root without touching its target', async () => {
    const { outside, root, store } = await rootWithLinks();
    await store.delete('out-dir');
    await store.delete('out-file');
    expect((await readdir(root)).sort()).toEqual(['dangling', 'in-dir', 'real']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    await expect(store.delete('out-dir/secret.txt')).resolves.toBeUndefined();
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('leaves no temp file behind when a streamed upload fails', async () => {
    const { root, store } = await rootWithLinks();
    async function* failing() {
      yield new TextEncoder().encode('partial');
      throw new Error('source broke');
    }
    await expect(store.put('real/broken.bin', failing())).rejects.toThrow('source broke');
    expect((await readdir(join(root, 'real'))).sort()).toEqual(['kept.txt']);
  });
});
