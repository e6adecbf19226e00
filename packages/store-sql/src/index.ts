export type {
  OpenSqlDatabaseOptions,
  SqlDatabase,
  SqlDriverModules,
  SqliteWriteLock,
} from './open-sql-database.js';
export { openSqlDatabase } from './open-sql-database.js';
export { resolveDatabaseUri } from './resolve-database-uri.js';
export type { CairnIndexSpec } from './schema/cairn-indexes.js';
export { cairnIndexes } from './schema/cairn-indexes.js';
export { mlflowSchemaRevision, mlflowSchemaVersion } from './schema/mlflow-revision.js';
export type { SqlDialectName } from './sql-dialect-name.js';
export type { SqlRegistryStoreOptions } from './sql-registry-store.js';
export { createSqlRegistryStore } from './sql-registry-store.js';
export type { SqlStorePluginOptions } from './sql-store-plugin.js';
export { createSqlStorePlugin, sqlStorePlugin } from './sql-store-plugin.js';
export type { SqlTrackingStoreOptions } from './sql-tracking-store.js';
export { createSqlTrackingStore } from './sql-tracking-store.js';
export type { SqlWebhookStoreOptions } from './sql-webhook-store.js';
export { createSqlWebhookStore } from './sql-webhook-store.js';
export type { EnsureSchemaOptions, UpgradeResult } from './upgrade-database.js';
export { ensureDatabaseSchema, upgradeDatabase } from './upgrade-database.js';
