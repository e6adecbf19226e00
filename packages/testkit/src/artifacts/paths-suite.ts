import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { collectText } from '../stream-helpers.js';
import type { ArtifactSuiteContext } from './describe-artifact-store.js';

const traversals = [
  '../x',
  '/etc/passwd',
  'a/../../b',
  '%2e%2e%2fx',
  '%252e%252e%252f',
  'a\\..\\b',
  'a\0b',
  '..',
];

/** Paths: confinement to the root, and names with spaces and unicode. */
export function pathsSuite(context: ArtifactSuiteContext): void {
  const { store } = context;

  it.each(traversals)('rejects put at %j with INVALID_PARAMETER_VALUE', async (path) => {
    await expectCairnError(store().put(path, 'x'), 'INVALID_PARAMETER_VALUE');
  });

  it.each(traversals)(
    'rejects get, list, stat and delete at %j with INVALID_PARAMETER_VALUE',
    async (path) => {
      await expectCairnError(store().get(path), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(store().list(path), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(store().stat(path), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(store().delete(path), 'INVALID_PARAMETER_VALUE');
    },
  );

  it('leaves nothing behind after a rejected put', async () => {
    await expectCairnError(store().put('../escape.txt', 'x'), 'INVALID_PARAMETER_VALUE');
    expect(await store().list()).toEqual([]);
  });

  it.each([
    'with space.txt',
    'dir with space/file name.txt',
    'ünïcödé/日本語.txt',
    'emoji-🚀.txt',
    'a+b=c,d;e.txt',
  ])('round-trips the name %j', async (path) => {
    await store().put(path, path);
    expect(await collectText(await store().get(path))).toBe(path);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    expect((await store().list(parent)).map((entry) => entry.path)).toContain(path);
  });

  it('treats a/./b as a/b', async () => {
    await store().put('a/./b.txt', 'dot');
    expect(await collectText(await store().get('a/b.txt'))).toBe('dot');
  });
}
