import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAtomic, withDirectoryLock, writeTextAtomic } from './fs-io.js';

const gone = { code: 'RESOURCE_DOES_NOT_EXIST' };

describe('writes racing a delete or a move', () => {
  // A run's folder moves to .trash when its experiment is deleted, possibly by another process between a
  // writer's check and its write; the write must fail rather than recreate the folder as a ghost.
  it('never recreate the folder they belong to', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-fs-io-'));
    const run = join(base, 'exp', 'run');
    await expect(writeTextAtomic(join(run, 'tags', 'a'), 'x', { base: run })).rejects.toMatchObject(gone);
    await expect(appendAtomic(join(run, 'metrics', 'm'), '1 2 3\n', run)).rejects.toMatchObject(gone);
    await expect(withDirectoryLock(run, async () => 'locked')).rejects.toMatchObject(gone);
    expect(await readdir(base)).toEqual([]);
  });

  it('create the missing folders below an existing base', async () => {
    const run = await mkdtemp(join(tmpdir(), 'cairn-fs-io-'));
    await writeTextAtomic(join(run, 'tags', 'a', 'b'), 'x', { base: run, tempDir: run });
    await appendAtomic(join(run, 'metrics', 'train', 'loss'), '1 2 3\n', run);
    expect(await readFile(join(run, 'tags', 'a', 'b'), 'utf8')).toBe('x');
    expect(await readFile(join(run, 'metrics', 'train', 'loss'), 'utf8')).toBe('1 2 3\n');
    // The temp file went to the run's folder and was renamed away: nothing is left beside the data.
    expect((await readdir(run)).sort()).toEqual(['metrics', 'tags']);
    await mkdir(join(run, 'locked'));
    expect(await withDirectoryLock(join(run, 'locked'), async () => 'locked')).toBe('locked');
  });
});
