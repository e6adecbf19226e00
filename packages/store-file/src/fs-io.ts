import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { doesNotExist } from '@cairn/core';
import lockfile from 'proper-lockfile';
import { parse, stringify } from 'yaml';

/**
 * Marks temp files and lock directories. `~` cannot appear in an MLflow key, so a transient file can never
 * be mistaken for a param or tag (write-file-atomic's `<name>.<digits>` temp names could be).
 */
const transientMarker = '~cairn';

/** True for the errno codes that mean "nothing there". */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads a UTF-8 file, or undefined if it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Options of {@link writeTextAtomic}. */
export interface AtomicWriteOptions {
  /**
   * The run, experiment or root folder the file belongs to. Missing folders below it are created; it is
   * never created itself, so a write racing a delete or move fails instead of resurrecting the folder.
   */
  base: string;
  /** Also fsync the data before the rename, so the file survives a power loss too. */
  durable?: boolean;
  /**
   * Where the temp file goes (same filesystem), default the target's folder. Keyed folders (params/, tags/)
   * must not hold one: MLflow reads every file there as a key and fails the whole run on a name it rejects,
   * which a temp file left by a killed process would be.
   */
  tempDir?: string;
}

/** Creates `folder` and its missing parents, provided `base` (an ancestor) still exists. */
async function makeFolderWithin(folder: string, base: string): Promise<void> {
  if (!(await pathExists(base))) {
    throw doesNotExist(`'${base}' no longer exists: it was deleted or moved by another process`);
  }
  await mkdir(folder, { recursive: true });
}

/**
 * Writes a whole file through a temp file and a rename, so readers never see half of it, even if the
 * process dies mid-write.
 */
export async function writeTextAtomic(
  path: string,
  content: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const tempDir = options.tempDir ?? dirname(path);
  // A short name of its own: the target's name may already be at the filesystem's 255-byte limit.
  const temp = join(tempDir, `${transientMarker}-${randomBytes(6).toString('hex')}`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    if (!isMissing(error)) throw error;
    await makeFolderWithin(tempDir, options.base);
    handle = await open(temp, 'wx');
  }
  try {
    await handle.writeFile(content, 'utf8');
    if (options.durable === true) await handle.sync();
    await handle.close();
    try {
      await rename(temp, path);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await makeFolderWithin(dirname(path), options.base);
      await rename(temp, path);
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads a YAML document, or undefined if the file does not exist. */
export async function readYaml(path: string): Promise<Record<string, unknown> | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const value: unknown = parse(text);
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Writes a YAML document atomically, keys in the order given (MLflow sorts them). */
export async function writeYaml(path: string, value: Record<string, unknown>, base: string): Promise<void> {
  await writeTextAtomic(path, stringify(value, { lineWidth: 0 }), { base, durable: true });
}

/**
 * Appends one buffer with a single O_APPEND write. On a local filesystem concurrent appends of whole
 * buffers do not interleave, which is how two processes logging the same metric lose nothing.
 */
export async function appendAtomic(path: string, content: string, base: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'a');
  } catch (error) {
    if (!isMissing(error)) throw error;
    await makeFolderWithin(dirname(path), base);
    handle = await open(path, 'a');
  }
  try {
    await handle.write(content);
  } finally {
    await handle.close();
  }
}

/** Names of the direct subdirectories of `path` (empty if it does not exist). */
export async function listDirectories(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/**
 * Reads every file under `dir` as `{ key: content }`, where nested directories make `/`-separated keys
 * (MLflow stores a tag `a/b` as the file `tags/a/b`).
 */
export async function readKeyedFiles(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if (isMissing(error)) return result;
    throw error;
  }
  await Promise.all(
    entries.map(async (relative) => {
      const key = relative.split('\\').join('/');
      if (isTransient(key)) return;
      try {
        result.set(key, await readFile(join(dir, relative), 'utf8'));
      } catch (error) {
        // A directory, or a file removed while we listed: neither is a value.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EISDIR' && !isMissing(error)) throw error;
      }
    }),
  );
  return new Map([...result].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

/** A fresh name next to `path` that every reader skips as transient (for a folder on its way out). */
export function transientSibling(path: string): string {
  return `${path}${transientMarker}-${randomBytes(6).toString('hex')}`;
}

/** Temp files of atomic writes and lock directories, which are never data. */
export function isTransient(name: string): boolean {
  return name.includes(transientMarker);
}

/** Removes a file, ignoring one that is already gone. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Runs `action` holding an inter-process lock on `dir` (a lock directory inside it, `~cairn.lock` unless
 * `suffix` is given), so read-modify-write sequences on one run or on the root never interleave across
 * processes. A lock whose holder died is taken over once it is 10 s stale.
 */
export async function withDirectoryLock<T>(dir: string, action: () => Promise<T>, suffix = ''): Promise<T> {
  // The folder is not created here: locking a run whose folder just moved must fail, not recreate it. It
  // is checked first because proper-lockfile would retry a missing folder for its whole retry budget.
  const missing = () => doesNotExist(`'${dir}' no longer exists: it was deleted or moved by another process`);
  if (!(await pathExists(dir))) throw missing();
  const release = await lockfile
    .lock(dir, {
      lockfilePath: join(dir, `${transientMarker}.lock${suffix}`),
      realpath: false,
      stale: 10_000,
      retries: { retries: 200, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
    })
    .catch((error: unknown) => {
      throw isMissing(error) ? missing() : error;
    });
  try {
    return await action();
  } finally {
    await release();
  }
}

/** True if something exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
