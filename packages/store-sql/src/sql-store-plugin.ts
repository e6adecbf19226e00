import { resolve } from 'node:path';
import { parseTrackingUri, pathToFileUri, type StorePlugin } from '@cairn/core';
import type { OpenSqlDatabaseOptions } from './open-sql-database.js';
import { resolveDatabaseUri } from './resolve-database-uri.js';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createSqlWebhookStore } from './sql-webhook-store.js';

/** Options of {@link createSqlStorePlugin}: how every database it opens is opened (drivers, pool, SQLite lock). */
export type SqlStorePluginOptions = OpenSqlDatabaseOptions;

/** Where new experiments keep artifacts when neither the URI nor the context says: `<cwd>/mlartifacts`, as MLflow. */
const defaultArtifactDirectory = 'mlartifacts';

function isSqlUri(uri: string): boolean {
  try {
    const kind = parseTrackingUri(uri).kind;
    return kind === 'sqlite' || kind === 'postgresql' || kind === 'mysql';
  } catch {
    return false;
  }
}

/**
 * A plugin for `sqlite:///path.db`, `postgresql://...` and `mysql://...` URIs (SQLAlchemy's `+driver`
 * spellings included): MLflow's SQL schema, tracking and model registry in the same database. Tracking and
 * registry stores on one SQLite file in one process share one connection. New experiments keep artifacts
 * under `context.artifactRoot`, else `<cwd>/mlartifacts` (the store's own default without a `cwd`).
 */
export function createSqlStorePlugin(options: SqlStorePluginOptions = {}): StorePlugin {
  return {
    specificationVersion: 'v1',
    name: 'sql',
    handles: isSqlUri,
    openTracking: (uri, context) => {
      const artifactRoot =
        context.artifactRoot ??
        (context.cwd === undefined
          ? undefined
          : pathToFileUri(resolve(context.cwd, defaultArtifactDirectory)));
      return createSqlTrackingStore({
        ...options,
        uri: resolveDatabaseUri(uri, context.cwd),
        ...(artifactRoot === undefined ? {} : { artifactRoot }),
      });
    },
    openRegistry: (uri, context) =>
      createSqlRegistryStore({ ...options, uri: resolveDatabaseUri(uri, context.cwd) }),
    openWebhooks: (uri, context) => {
      const key = context.env?.MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY;
      return createSqlWebhookStore({
        ...options,
        uri: resolveDatabaseUri(uri, context.cwd),
        ...(key ? { secretEncryptionKey: key } : {}),
      });
    },
  };
}

/** {@link createSqlStorePlugin} with default options: drivers imported on first use. */
export const sqlStorePlugin: StorePlugin = createSqlStorePlugin();
