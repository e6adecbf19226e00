import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { systemTags } from '@cairn/core';

/** The git checkout a directory is in: its commit and branch, read from `.git` without running git. */
export async function readGitState(
  startDir: string,
): Promise<{ commit: string; branch?: string } | undefined> {
  let dir = resolve(startDir);
  for (;;) {
    const dotGit = join(dir, '.git');
    const info = await stat(dotGit).catch(() => undefined);
    if (info !== undefined) {
      // A worktree or submodule has a `.git` file pointing at the real git directory.
      const gitDir = info.isDirectory() ? dotGit : await gitDirFromFile(dotGit, dir);
      return gitDir === undefined ? undefined : readHead(gitDir);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function gitDirFromFile(dotGitFile: string, dir: string): Promise<string | undefined> {
  const match = /^gitdir:\s*(.+)$/mu.exec(await readFile(dotGitFile, 'utf8').catch(() => ''));
  if (match?.[1] === undefined) return undefined;
  const path = match[1].trim();
  return isAbsolute(path) ? path : resolve(dir, path);
}

async function readHead(gitDir: string): Promise<{ commit: string; branch?: string } | undefined> {
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40,64}$/u.test(head)) return { commit: head };
  const ref = /^ref:\s*(\S+)$/u.exec(head)?.[1];
  if (ref === undefined) return undefined;
  const branch = ref.replace(/^refs\/heads\//u, '');
  // Worktrees keep refs in the common directory.
  const commonDir = (await readFile(join(gitDir, 'commondir'), 'utf8').catch(() => '')).trim();
  const refDirs = commonDir === '' ? [gitDir] : [gitDir, resolve(gitDir, commonDir)];
  for (const refDir of refDirs) {
    const loose = (await readFile(join(refDir, ref), 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{40,64}$/u.test(loose)) return { commit: loose, branch };
    const packed = await readFile(join(refDir, 'packed-refs'), 'utf8').catch(() => '');
    for (const line of packed.split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && sha !== undefined && /^[0-9a-f]{40,64}$/u.test(sha)) return { commit: sha, branch };
    }
  }
  return undefined;
}

/** Who is running this process, as MLflow records it (`mlflow.user`). */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? env.USERNAME ?? 'unknown';
  }
}

/**
 * The tags MLflow sets on every run it starts from a script: user, source name and type, and the git
 * commit and branch when the script is in a git checkout.
 */
export async function defaultRunTags(
  options: { env?: NodeJS.ProcessEnv; sourceName?: string; cwd?: string } = {},
): Promise<Record<string, string>> {
  const env = options.env ?? process.env;
  const sourceName = options.sourceName ?? process.argv[1] ?? '';
  const tags: Record<string, string> = {
    [systemTags.user]: currentUser(env),
    [systemTags.sourceName]: sourceName,
    [systemTags.sourceType]: 'LOCAL',
  };
  const git = await readGitState(
    sourceName === '' ? (options.cwd ?? process.cwd()) : dirname(resolve(sourceName)),
  );
  if (git !== undefined) {
    tags[systemTags.gitCommit] = git.commit;
    if (git.branch !== undefined) tags[systemTags.gitBranch] = git.branch;
  }
  return tags;
}
