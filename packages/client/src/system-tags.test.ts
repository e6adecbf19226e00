import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRunTags, readGitState } from './system-tags.js';
import { tempDir } from './test-helpers.js';

const sha = 'a'.repeat(40);
const other = 'b'.repeat(40);

describe('git state for mlflow.source.git.commit', () => {
  it('reads a loose branch ref from a parent directory', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, '.git', 'refs', 'heads'), { recursive: true });
    await writeFile(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(repo, '.git', 'refs', 'heads', 'main'), `${sha}\n`);
    await mkdir(join(repo, 'src', 'deep'), { recursive: true });
    expect(await readGitState(join(repo, 'src', 'deep'))).toEqual({ commit: sha, branch: 'main' });
  });

  it('reads packed refs, a detached HEAD and a worktree .git file', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, '.git'), { recursive: true });
    await writeFile(join(repo, '.git', 'HEAD'), 'ref: refs/heads/dev\n');
    await writeFile(join(repo, '.git', 'packed-refs'), `# pack-refs\n${other} refs/heads/dev\n`);
    expect(await readGitState(repo)).toEqual({ commit: other, branch: 'dev' });

    const detached = await tempDir();
    await mkdir(join(detached, '.git'), { recursive: true });
    await writeFile(join(detached, '.git', 'HEAD'), `${sha}\n`);
    expect(await readGitState(detached)).toEqual({ commit: sha });

    const worktree = await tempDir();
    await writeFile(join(worktree, '.git'), `gitdir: ${join(detached, '.git')}\n`);
    expect(await readGitState(worktree)).toEqual({ commit: sha });
  });

  it('tags a script with user, source and git, and omits git outside a checkout', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, '.git'), { recursive: true });
    await writeFile(join(repo, '.git', 'HEAD'), `${sha}\n`);
    const tags = await defaultRunTags({ env: {}, sourceName: join(repo, 'train.mjs') });
    expect(tags).toMatchObject({
      'mlflow.source.name': join(repo, 'train.mjs'),
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.git.commit': sha,
    });
    expect(tags['mlflow.user']).toBeTruthy();
    const outside = await defaultRunTags({ env: {}, sourceName: '/train.mjs' });
    expect(outside['mlflow.source.git.commit']).toBeUndefined();
  });
});
