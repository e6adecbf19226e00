import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { ArtifactSuiteContext } from './describe-artifact-store.js';

/** Delete: files, trees, nothing. */
export function deleteSuite(context: ArtifactSuiteContext): void {
  const { store } = context;

  it('deletes a file and leaves its siblings', async () => {
    await store().put('dir/a.txt', 'a');
    await store().put('dir/b.txt', 'b');
    await store().delete('dir/a.txt');
    await expectCairnError(store().get('dir/a.txt'), 'RESOURCE_DOES_NOT_EXIST');
    expect((await store().list('dir')).map((entry) => entry.path)).toEqual(['dir/b.txt']);
  });

  it('deletes a whole tree', async () => {
    await store().put('tree/x.txt', 'x');
    await store().put('tree/sub/y.txt', 'y');
    await store().put('keep.txt', 'k');
    await store().delete('tree');
    expect(await store().stat('tree')).toBeUndefined();
    expect(await store().list('tree')).toEqual([]);
    expect((await store().list()).map((entry) => entry.path)).toEqual(['keep.txt']);
  });

  it('does not delete a sibling whose name starts the same', async () => {
    await store().put('run/a.txt', 'a');
    await store().put('run-2/b.txt', 'b');
    await store().delete('run');
    expect((await store().list()).map((entry) => entry.path)).toEqual(['run-2']);
  });

  it('accepts deleting nothing', async () => {
    await store().delete('never/was/here');
    await store().delete('missing.txt');
    expect(await store().list()).toEqual([]);
  });

  it('can write a file again after deleting it', async () => {
    await store().put('again.txt', 'one');
    await store().delete('again.txt');
    await store().put('again.txt', 'two');
    expect((await store().stat('again.txt'))?.file_size).toBe(3);
  });
}
