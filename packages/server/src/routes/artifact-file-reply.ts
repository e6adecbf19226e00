import { Readable } from 'node:stream';
import { type ArtifactStore, CairnError, doesNotExist, invalidParameter } from '@cairn/core';
import type { FastifyReply } from 'fastify';
import mime from 'mime-types';
import { contentDisposition } from './artifact-proxy-routes.js';

/** Extensions (or extension-less names) MLflow's server sends as `text/plain`, whatever their usual type. */
const textExtensions = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'MLproject',
]);

/**
 * The Content-Type MLflow's server gives an artifact file: `text/plain` for its text extensions (so `.js` and
 * `.json` too) and for `MLmodel`/`MLproject`, else the type the name implies, else `application/octet-stream`.
 */
export function artifactMimeType(name: string): string {
  // Python's splitext: leading dots start a name, not an extension (`.bashrc` has none).
  const leadingDots = /^\.*/u.exec(name)?.[0].length ?? 0;
  const dot = name.lastIndexOf('.');
  const extension = dot >= leadingDots && dot !== -1 ? name.slice(dot + 1) : '';
  if (textExtensions.has(extension === '' ? name : extension)) return 'text/plain';
  return mime.lookup(name) || 'application/octet-stream';
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Streams one artifact file as a download. As MLflow's server does, it is always an attachment with
 * `X-Content-Type-Options: nosniff`, so a browser never renders an artifact's HTML, SVG or script on the
 * server's origin; `Content-Security-Policy: sandbox` also keeps scripts off it should a browser render one
 * anyway. `shownPath` is the path the client asked for, for messages (the store's own would name its root).
 */
export async function sendArtifactFile(
  reply: FastifyReply,
  store: ArtifactStore,
  path: string,
  shownPath: string,
): Promise<FastifyReply> {
  let bytes: AsyncIterable<Uint8Array>;
  try {
    bytes = await store.get(path);
  } catch (error) {
    if (!CairnError.isInstance(error) || error.code !== 'RESOURCE_DOES_NOT_EXIST') throw error;
    // Only a failed read pays for the stat that tells a directory from nothing at all.
    if ((await store.stat(path))?.is_dir === true) {
      throw invalidParameter(`Artifact path refers to a directory, not a file: '${shownPath}'`, {
        field: 'path',
      });
    }
    throw doesNotExist(`No artifact file at '${shownPath}'`, { field: 'path' });
  }
  const name = basename(path) || basename(shownPath);
  return reply
    .type(artifactMimeType(name))
    .header('Content-Disposition', contentDisposition(name))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', 'sandbox')
    .send(bytes instanceof Readable ? bytes : Readable.from(bytes));
}
