import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ArtifactBody,
  type ArtifactStore,
  doesNotExist,
  type FileInfo,
  invalidParameter,
  normaliseArtifactPath,
  pathToFileUri,
} from '@cairn/core';
import { isMissing, isTransient } from './fs-io.js';

/** Options of {@link createFileArtifactStore}. */
export interface FileArtifactStoreOptions {
  /** The local directory the store is rooted at (created on first write). */
  root: string;
}

const toStream = (body: ArtifactBody): Readable =>
  typeof body === 'string' || body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);

/**
 * An artifact store on the local filesystem. Writes stream into a temp file beside the target and rename
 * it into place, so a failed or interrupted upload never leaves a partial file; every path is confined to
 * the root, including through symlinks.
 */
export function createFileArtifactStore(options: FileArtifactStoreOptions): ArtifactStore {
  const root = resolve(options.root);
  const absolute = (relative: string) => (relative === '' ? root : join(root, ...relative.split('/')));

  /** Refuses a path whose real location (after symlinks, in any of its folders) is outside the root. */
  const confined = async (relative: string): Promise<string> => {
    const target = absolute(relative);
    const [real, realRoot] = await Promise.all([realLocation(target), realLocation(root)]);
    const inside =
      real !== undefined && realRoot !== undefined && (real === realRoot || real.startsWith(realRoot + sep));
    if (!inside) {
      throw invalidParameter(`Invalid artifact path '${relative}': it resolves outside the artifact root`, {
        field: 'path',
      });
    }
    return target;
  };

  const statOf = async (relative: string): Promise<FileInfo | undefined> => {
    try {
      const info = await stat(await confined(relative));
      return info.isDirectory()
        ? { path: relative, is_dir: true }
        : { path: relative, is_dir: false, file_size: info.size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };

  const store: ArtifactStore = {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: false, multipartUpload: false, serverSideCopy: true },
    rootUri: pathToFileUri(root),

    async put(path, body) {
      const relative = normaliseArtifactPath(path);
      if (relative === '')
        throw invalidParameter('Cannot write a file at the artifact root', { field: 'path' });
      const target = await confined(relative);
      await mkdir(dirname(target), { recursive: true });
      await confined(relative);
      const temp = join(dirname(target), `~cairn-${randomBytes(6).toString('hex')}`);
      try {
        await pipeline(toStream(body), createWriteStream(temp, { flags: 'wx' }));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(path) {
      const relative = normaliseArtifactPath(path);
      const info = relative === '' ? undefined : await statOf(relative);
      if (info === undefined || info.is_dir) {
        throw doesNotExist(`No artifact file at '${path}' under ${pathToFileUri(root)}`, { field: 'path' });
      }
      return createReadStream(absolute(relative));
    },

    async stat(path) {
      return statOf(normaliseArtifactPath(path));
    },

    async list(path) {
      const relative = normaliseArtifactPath(path);
      let entries: string[];
      try {
        entries = await readdir(await confined(relative));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (isMissing(error) || code === 'ENOTDIR') return [];
        throw error;
      }
      const children = await Promise.all(
        entries
          .filter((name) => !isTransient(name))
          .map((name) => statOf(relative === '' ? name : `${relative}/${name}`).catch(() => undefined)),
      );
      return children
        .filter((child): child is FileInfo => child !== undefined)
        .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
    },

    async delete(path) {
      const relative = normaliseArtifactPath(path);
      if (relative === '') {
        // Empty the root but keep it: the store is still rooted there.
        for (const name of await readdir(root).catch(() => []))
          await rm(join(root, name), { recursive: true, force: true });
        return;
      }
      // Only the folder holding the entry must be inside: the entry itself is removed, never followed, so a
      // symlink pointing outside can still be deleted without touching what it points to.
      const parent = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '';
      const target = join(await confined(parent), basename(absolute(relative)));
      const link = await lstat(target).catch(() => undefined);
      if (link !== undefined) await rm(target, { recursive: true, force: true });
    },

    async copy(from, to) {
      const source = normaliseArtifactPath(from, 'from');
      const info = source === '' ? undefined : await statOf(source);
      if (info === undefined || info.is_dir) {
        throw doesNotExist(`No artifact file at '${from}' under ${pathToFileUri(root)}`, { field: 'from' });
      }
      await store.put(to, createReadStream(absolute(source)));
    },
  };
  return store;
}

/**
 * Where `path` really is: the real path of its deepest existing folder plus the missing rest. Checking only
 * the full path would miss a new file under a symlinked folder, which writes wherever that folder points.
 * Undefined for a path through a dangling symlink, whose destination cannot be checked.
 */
async function realLocation(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    // A dangling symlink would be followed by mkdir or open, to a place nobody checked.
    const link = await lstat(current).catch(() => undefined);
    if (link?.isSymbolicLink()) return undefined;
    const parent = dirname(current);
    if (parent === current) return path;
    missing.push(basename(current));
    current = parent;
  }
}
