import { expect, it } from 'vitest';
import type { ArtifactSuiteContext } from './describe-artifact-store.js';

/** List: direct children, sorted, root-relative paths, sizes. */
export function listSuite(context: ArtifactSuiteContext): void {
  const { store } = context;

  async function populate() {
    await store().put('b.txt', 'bb');
    await store().put('a.txt', 'a');
    await store().put('model/MLmodel', 'flavors: {}\n');
    await store().put('model/data/weights.bin', new Uint8Array(1024));
    await store().put('plots/loss.png', new Uint8Array(10));
  }

  it('lists the direct children of the root, sorted by path', async () => {
    await populate();
    expect(await store().list()).toEqual([
      { path: 'a.txt', is_dir: false, file_size: 1 },
      { path: 'b.txt', is_dir: false, file_size: 2 },
      { path: 'model', is_dir: true },
      { path: 'plots', is_dir: true },
    ]);
  });

  it("lists the root for '' as for no argument", async () => {
    await populate();
    expect(await store().list('')).toEqual(await store().list());
  });

  it('lists a subdirectory with root-relative paths', async () => {
    await populate();
    expect(await store().list('model')).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 12 },
      { path: 'model/data', is_dir: true },
    ]);
  });

  it('lists a nested directory with correct sizes', async () => {
    await populate();
    expect(await store().list('model/data')).toEqual([
      { path: 'model/data/weights.bin', is_dir: false, file_size: 1024 },
    ]);
  });

  it('gives directories no file_size', async () => {
    await populate();
    for (const entry of (await store().list()).filter((item) => item.is_dir))
      expect(entry.file_size).toBeUndefined();
  });

  it('accepts a trailing slash on the directory', async () => {
    await populate();
    expect(await store().list('model/')).toEqual(await store().list('model'));
  });

  it('lists a missing directory as empty', async () => {
    expect(await store().list('does/not/exist')).toEqual([]);
  });

  it('lists an empty store as empty', async () => {
    expect(await store().list()).toEqual([]);
  });

  it('lists a file as empty', async () => {
    await populate();
    expect(await store().list('a.txt')).toEqual([]);
  });

  it('shows a directory once however many files it holds', async () => {
    for (let index = 0; index < 5; index += 1) await store().put(`many/f${index}.txt`, 'x');
    expect(await store().list()).toEqual([{ path: 'many', is_dir: true }]);
    expect(await store().list('many')).toHaveLength(5);
  });
}
