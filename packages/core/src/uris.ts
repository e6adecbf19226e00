import { invalidParameter } from './errors.js';

/** Where a tracking store lives, parsed from a tracking URI. */
export type TrackingUri =
  | { kind: 'file' /** A local directory, absolute or relative to the working directory. */; path: string }
  | { kind: 'sqlite' /** The database file, or `:memory:`. */; path: string; uri: string }
  | { kind: 'postgresql'; uri: string }
  | { kind: 'mysql'; uri: string }
  | { kind: 'http' /** The server's base URL, without a trailing slash. */; url: string }
  | { kind: 'memory' /** A name, so two `memory:` URIs can share one store. */; name: string }
  | { kind: 'other'; scheme: string; uri: string };

function fileUrlToPath(uri: string): string {
  // file:///abs/path, file:/abs/path, file:./relative and file:relative are all used in the wild.
  const rest = uri.slice('file:'.length);
  const path = rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/u, '') : rest;
  return decodeURIComponent(path);
}

/**
 * Parses a tracking URI as MLflow accepts them: a bare path or `file:` URI (mlruns layout),
 * `sqlite:///relative.db` / `sqlite:////abs.db`, `postgresql://`, `mysql://` (with `+driver` suffixes),
 * `http(s)://`, and Cairn's `memory:`.
 */
export function parseTrackingUri(uri: string): TrackingUri {
  const trimmed = uri.trim();
  if (trimmed === '') throw invalidParameter('Tracking URI must not be empty', { field: 'tracking_uri' });
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/u.exec(trimmed);
  // A single letter before ':' is a Windows drive, not a scheme.
  if (!schemeMatch || schemeMatch[1]?.length === 1) return { kind: 'file', path: trimmed };
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  const base = scheme.split('+')[0];
  switch (base) {
    case 'file':
      return { kind: 'file', path: fileUrlToPath(trimmed) };
    case 'sqlite': {
      const rest = trimmed.slice(schemeMatch[0].length);
      if (!rest.startsWith('//'))
        throw invalidParameter(`Invalid SQLite URI '${uri}': expected sqlite:///<path>`);
      const afterHost = rest.slice(2);
      const path =
        afterHost === '' || afterHost === '/' || afterHost === '/:memory:' ? ':memory:' : afterHost.slice(1);
      return { kind: 'sqlite', path: decodeURIComponent(path.split('?')[0] ?? path), uri: trimmed };
    }
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgresql', uri: trimmed };
    case 'mysql':
    case 'mariadb':
      return { kind: 'mysql', uri: trimmed };
    case 'http':
    case 'https':
      return { kind: 'http', url: trimmed.replace(/\/+$/u, '') };
    case 'memory':
      return { kind: 'memory', name: trimmed.slice('memory:'.length).replace(/^\/+/u, '') || 'default' };
    default:
      return { kind: 'other', scheme, uri: trimmed };
  }
}

/** A `runs:/<run_id>/<path>` URI. */
export interface RunsUri {
  runId: string;
  /** The artifact path inside the run, `''` for the root. */
  artifactPath: string;
}

/** Parses `runs:/<run_id>/<path>`. */
export function parseRunsUri(uri: string): RunsUri {
  const match = /^runs:\/+([^/]+)(?:\/(.*))?$/u.exec(uri);
  if (!match?.[1]) {
    throw invalidParameter(`Not a valid runs URI: '${uri}'. Expected runs:/<run_id>/<path>`, {
      field: 'uri',
    });
  }
  return { runId: match[1], artifactPath: (match[2] ?? '').replace(/\/+$/u, '') };
}

/** An artifact location split into scheme and the rest (`file`, `s3`, `mlflow-artifacts`, `http`...). */
export interface ArtifactUri {
  scheme: string;
  /** For `file`: the local path. For others: everything after `<scheme>:`. */
  path: string;
  uri: string;
}

/** Parses an artifact URI; a bare path is a local file path. */
export function parseArtifactUri(uri: string): ArtifactUri {
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/u.exec(uri);
  if (!schemeMatch || schemeMatch[1]?.length === 1) return { scheme: 'file', path: uri, uri };
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  if (scheme === 'file') return { scheme, path: fileUrlToPath(uri), uri };
  return { scheme, path: uri.slice(schemeMatch[0].length), uri };
}

/** Appends relative path segments to an artifact URI without doubling or dropping slashes. */
export function joinArtifactUri(base: string, ...segments: string[]): string {
  const parts = segments.flatMap((segment) => segment.split('/')).filter((segment) => segment !== '');
  if (parts.length === 0) return base;
  return `${base.replace(/\/+$/u, '')}/${parts.join('/')}`;
}

/** `%XX` runs decoded as UTF-8, malformed ones kept (how Python's unquote reads a local path). */
function unquotePath(path: string): string {
  return path.replace(/(?:%[0-9a-fA-F]{2})+/gu, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * An experiment's artifact location as MLflow's stores keep it: a relative local path is made absolute
 * against `cwd` (`my_location` -> `<cwd>/my_location`, `file:my_location` -> `file://<cwd>/my_location`),
 * with `.` segments and repeated slashes dropped as Python's pathlib drops them; an absolute path and any
 * other URI (`s3://`, `mlflow-artifacts:`, a `file://` URI naming a host) are returned unchanged.
 */
export function resolveArtifactLocation(location: string, cwd: string): string {
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/u.exec(location);
  const scheme = schemeMatch?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file') return location;
  let path = location;
  let suffix = '';
  if (scheme === 'file') {
    const rest = location.slice('file:'.length);
    if (rest.startsWith('//')) return location;
    const end = rest.search(/[?#]/u);
    path = end === -1 ? rest : rest.slice(0, end);
    suffix = end === -1 ? '' : rest.slice(end);
  }
  path = unquotePath(path);
  if (path.startsWith('/')) return location;
  const segments = [...cwd.split('/'), ...path.split('/')].filter(
    (segment) => segment !== '' && segment !== '.',
  );
  const absolute = `/${segments.join('/')}`;
  return scheme === 'file' ? `file://${absolute}${suffix}` : absolute;
}

/** A `file://` URI for an absolute local path. */
export function pathToFileUri(absolutePath: string): string {
  const normalised = absolutePath.replace(/\\/gu, '/');
  const encoded = normalised
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/giu, ':'))
    .join('/');
  return `file://${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}
