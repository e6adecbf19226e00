import { realpath } from 'node:fs/promises';
import { basename, dirname, posix, resolve } from 'node:path';
import { CairnError, invalidParameter, type TrackingStore } from '@cairn/core';

// MLflow's server reads sources with Python's urllib; these helpers split them the same way, so a source
// is local, or holds a relative reference, exactly when MLflow says so.

interface UrlParts {
  scheme: string;
  netloc: string;
  path: string;
}

/** Schemes whose last path segment may carry `;params`, which urllib splits off the path. */
const schemesWithParams = new Set([
  '',
  'ftp',
  'hdl',
  'prospero',
  'http',
  'imap',
  'https',
  'shttp',
  'rtsp',
  'rtspu',
  'sip',
  'sips',
  'mms',
  'sftp',
  'tel',
]);

/** Python's `urllib.parse.urlparse`: scheme (lower-cased), network location and path. */
function urlParts(source: string): UrlParts {
  // urllib drops leading control characters and spaces, and tabs and newlines anywhere.
  let start = 0;
  while (start < source.length && source.charCodeAt(start) <= 0x20) start += 1;
  let rest = source.slice(start).replace(/[\t\r\n]/gu, '');
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/u.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/u);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end === -1 ? '' : rest.slice(end + 2);
  }
  let path = rest.split('#')[0]?.split('?')[0] ?? '';
  if (schemesWithParams.has(scheme) && path.includes(';')) {
    const params = path.indexOf(';', path.lastIndexOf('/'));
    if (params !== -1) path = path.slice(0, params);
  }
  return { scheme, netloc, path };
}

/** The host of a network location, lower-cased, as urllib's `hostname` (undefined when there is none). */
function hostnameOf(netloc: string): string | undefined {
  const host = netloc.slice(netloc.lastIndexOf('@') + 1);
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : (host.split(':')[0] ?? '');
  return name === '' ? undefined : name.toLowerCase();
}

/** Python's `urllib.parse.unquote`: `%XX` runs decoded as UTF-8, malformed bytes as U+FFFD. */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/gu, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (hex) => Number.parseInt(hex, 16));
    return new TextDecoder().decode(bytes);
  });
}

/**
 * True for a local path or a `file:` URI, as MLflow's `is_local_uri` decides. A `file:` URI naming another
 * host is an error, answered with INTERNAL_ERROR (HTTP 500) as MLflow's server does.
 */
function isLocalUri(uri: string): boolean {
  const { scheme, netloc } = urlParts(uri);
  if (scheme === '') return true;
  if (scheme !== 'file') return false;
  const hostname = hostnameOf(netloc);
  if (hostname !== undefined && hostname !== '.' && !/^(?:localhost|127\.0\.0\.1)/u.test(hostname)) {
    throw new CairnError(
      'INTERNAL_ERROR',
      `${uri} is not a valid remote uri. A file: URI must name a path on this server (no host, or localhost); reach other hosts through a scheme such as smb:// or s3://.`,
      { details: { field: 'source' } },
    );
  }
  return true;
}

/** The path of a local path or `file:` URI, percent-decoded, as MLflow's `local_file_uri_to_path`. */
const localPathOf = (uri: string) => unquote(uri.startsWith('file:') ? urlParts(uri).path : uri);

/**
 * An absolute path with `.` and `..` resolved and symbolic links followed, as Python's `Path.resolve()`:
 * the longest part that exists is resolved on disk and the rest appended.
 */
async function resolvedPath(path: string): Promise<string> {
  const absolute = resolve(path);
  // No file has a longer path (Linux's PATH_MAX); not asking the disk spares a request with a huge source
  // one lookup per segment.
  if (absolute.length > 4096) return absolute;
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute
      ? absolute
      : `${(await resolvedPath(parent)).replace(/\/$/u, '')}/${basename(absolute)}`;
  }
}

/** Decodes `%XX` and `+` until stable, as MLflow does before looking for relative references. */
function fullyUnquoted(source: string): string | undefined {
  let current = source;
  // Every round that changes the text shortens it; a source still changing after many rounds is refused
  // rather than decoded once per character.
  for (let round = 0; round < 20; round += 1) {
    const next = unquote(current.replace(/\+/gu, ' '));
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

/**
 * True when a non-local source could reach outside the place it names: a `..` segment or NUL, even
 * percent-encoded, or a path that is not absolute and free of `.` segments once duplicate and trailing
 * slashes are dropped. (MLflow also resolves symbolic links here, on the server's own disk, for URIs of
 * other systems; that says nothing about those systems and is left out.)
 */
function hasRelativeReferences(source: string): boolean {
  const decoded = fullyUnquoted(source);
  if (decoded === undefined) return true;
  const path = urlParts(decoded).path.replace(/\/+$/u, '').replace(/\/+/gu, '/');
  if (path.includes('\u0000') || decoded.split('/').includes('..')) return true;
  return !path.startsWith('/') || posix.normalize(path) !== path;
}

/** Who a model version's files belong to: the run (`run_id`) or, when given, the logged model (`model_id`). */
export interface ModelVersionSourceOwner {
  runId?: string | undefined;
  modelId?: string | undefined;
}

/**
 * Refuses a model-version source as MLflow's server does, so the registry cannot be pointed at files of
 * the server's disk that no run owns: a local path or `file:` URI must lie inside the local artifact
 * directory of the logged model named by `model_id` or, without one, of the run named by `run_id`; any
 * other source (`runs:/`, `models:/`, `mlflow-artifacts:`, `s3://`, `http(s)://`...) must hold no relative
 * path reference. An unknown run or logged model is RESOURCE_DOES_NOT_EXIST. Prompt versions, whose
 * source is a placeholder, are not checked (the caller skips them).
 */
export async function validateModelVersionSource(
  tracking: TrackingStore,
  source: string,
  owner: ModelVersionSourceOwner,
): Promise<void> {
  if (!isLocalUri(source)) {
    if (hasRelativeReferences(source)) {
      throw invalidParameter(
        `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
        { field: 'source' },
      );
    }
    return;
  }
  const ownerField = owner.modelId ? 'model_id' : 'run_id';
  const ownerId = owner.modelId || owner.runId;
  let shown = source;
  if (ownerId) {
    const root = owner.modelId
      ? (await tracking.getLoggedModel(owner.modelId)).info.artifact_uri
      : (await tracking.getRun(ownerId)).info.artifact_uri;
    const path = await resolvedPath(localPathOf(source));
    shown = path;
    if (isLocalUri(root)) {
      const rootPath = await resolvedPath(localPathOf(root));
      if (path === rootPath || path.startsWith(rootPath.endsWith('/') ? rootPath : `${rootPath}/`)) return;
    }
  }
  const owned = owner.modelId ? 'logged model' : 'run';
  throw invalidParameter(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the ${ownerField} request parameter has to be specified and the local path has to be contained within the artifact directory of the ${owned} specified by the ${ownerField}.`,
    { field: 'source' },
  );
}
