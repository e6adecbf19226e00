import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ArtifactStore, doesNotExist, invalidParameter, normaliseArtifactPath } from '@cairn/core';
import { ProgressTracker, type TransferOptions } from './transfer-progress.js';

/** How many files move at once in tree uploads and downloads. */
export const transferConcurrency = 4;

const joinArtifactPath = (...parts: (string | undefined)[]) =>
  parts.filter((part): part is string => part !== undefined && part !== '').join('/');

/** Runs `work` over `items` with at most `limit` in flight; the first failure rejects. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Uploads one local file to `<artifactPath>/<file name>`, streaming it. */
export async function uploadFile(
  store: ArtifactStore,
  localPath: string,
  artifactPath?: string,
  options: TransferOptions = {},
): Promise<void> {
  const info = await stat(localPath).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw invalidParameter(`'${localPath}' is not a file`, { field: 'local_path' });
  }
  const progress = new ProgressTracker(options.onProgress, { bytes: info.size, files: 1 });
  await store.put(
    joinArtifactPath(normaliseArtifactPath(artifactPath), basename(localPath)),
    progress.count(createReadStream(localPath)),
  );
  progress.fileDone();
}

/** Uploads a local directory tree under `artifactPath`, keeping its shape, a few files at a time. */
export async function uploadDirectory(
  store: ArtifactStore,
  localDir: string,
  artifactPath?: string,
  options: TransferOptions = {},
): Promise<void> {
  const info = await stat(localDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw invalidParameter(`'${localDir}' is not a directory`, { field: 'local_dir' });
  }
  const prefix = normaliseArtifactPath(artifactPath);
  const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  const progress = new ProgressTracker(options.onProgress, {
    bytes: sizes.reduce((sum, size) => sum + size, 0),
    files: files.length,
  });
  await forEachLimited(files, transferConcurrency, async (file) => {
    await store.put(
      joinArtifactPath(prefix, relative(localDir, file).split(sep).join('/')),
      progress.count(createReadStream(file)),
    );
    progress.fileDone();
  });
}

async function downloadFile(
  store: ArtifactStore,
  path: string,
  target: string,
  progress: ProgressTracker,
): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await pipeline(Readable.from(progress.count(await store.get(path))), createWriteStream(target));
  progress.fileDone();
}

/**
 * Copies an artifact file or directory tree to `dstDir/<artifactPath>` and returns that local path, as
 * MLflow's `download_artifacts` does.
 */
export async function downloadTree(
  store: ArtifactStore,
  artifactPath: string | undefined,
  dstDir: string,
  options: TransferOptions = {},
): Promise<string> {
  const root = normaliseArtifactPath(artifactPath);
  const local = (path: string) => join(dstDir, ...path.split('/').filter(Boolean));
  const info = await store.stat(root);
  if (info === undefined) {
    throw doesNotExist(`No artifact at '${root}' under ${store.rootUri}`, { field: 'artifact_path' });
  }
  if (!info.is_dir) {
    const progress = new ProgressTracker(options.onProgress, { bytes: info.file_size ?? 0, files: 1 });
    await downloadFile(store, root, local(root), progress);
    return local(root);
  }
  await mkdir(local(root), { recursive: true });
  const files: { path: string; size: number }[] = [];
  const pending = [root];
  while (pending.length > 0) {
    for (const child of await store.list(pending.pop())) {
      if (child.is_dir) pending.push(child.path);
      else files.push({ path: child.path, size: child.file_size ?? 0 });
    }
  }
  const progress = new ProgressTracker(options.onProgress, {
    bytes: files.reduce((sum, file) => sum + file.size, 0),
    files: files.length,
  });
  await forEachLimited(files, transferConcurrency, (file) =>
    downloadFile(store, file.path, local(file.path), progress),
  );
  return local(root);
}
