import { isAbsolute, resolve } from 'node:path';
import { invalidParameter, parseTrackingUri } from '@cairn/core';

/**
 * The database URI a store opens: a relative SQLite path (`sqlite:///mlflow.db`, as MLflow reads it) made
 * absolute against `cwd`, so the file does not move with the process's working directory; other URIs as
 * given. A relative path without a `cwd` fails with INVALID_PARAMETER_VALUE naming the URI.
 */
export function resolveDatabaseUri(uri: string, cwd: string | undefined): string {
  const parsed = parseTrackingUri(uri);
  if (parsed.kind !== 'sqlite' || parsed.path === ':memory:' || isAbsolute(parsed.path)) return uri.trim();
  if (cwd === undefined) {
    throw invalidParameter(`Cannot open '${uri}': a relative path needs a working directory (cwd)`, {
      field: 'tracking_uri',
    });
  }
  return `sqlite:///${resolve(cwd, parsed.path)}`;
}
