import { parseArtifactUri, parseTrackingUri, type StorePlugin, type TrackingUri } from '@cairn/core';
import { createMemoryStorePlugin } from '@cairn/store-memory';
import { restStorePlugin } from '@cairn/store-rest';
import { createLazyStorePlugin } from './lazy-store-plugin.js';

const trackingKind = (uri: string): TrackingUri['kind'] | undefined => {
  try {
    return parseTrackingUri(uri).kind;
  } catch {
    return undefined;
  }
};

/** The Node driver each SQL URI needs next to @cairn/store-sql. */
const sqlDrivers = { sqlite: 'better-sqlite3', postgresql: 'pg', mysql: 'mysql2' } as const;
const sqlDriverFor = (uri: string) => sqlDrivers[trackingKind(uri) as keyof typeof sqlDrivers];

/**
 * `sqlite:`, `postgresql:` and `mysql:` through @cairn/store-sql, an optional peer imported on first use
 * together with the URI's driver, so a missing one is named before the first query rather than during it.
 */
export const lazySqlStorePlugin: StorePlugin = createLazyStorePlugin({
  name: 'sql',
  facets: ['openTracking', 'openRegistry'],
  handles: (uri) => sqlDriverFor(uri) !== undefined,
  packagesFor: (uri) => ['@cairn/store-sql', sqlDriverFor(uri)],
  load: async (uri) => {
    const { sqlStorePlugin } = await import('@cairn/store-sql');
    await import(/* @vite-ignore */ sqlDriverFor(uri));
    return sqlStorePlugin;
  },
});

/** Bare paths and `file:` URIs through @cairn/store-file, an optional peer imported on first use. */
export const lazyFileStorePlugin: StorePlugin = createLazyStorePlugin({
  name: 'file',
  facets: ['openTracking', 'openRegistry', 'openArtifacts'],
  handles: (uri) => trackingKind(uri) === 'file',
  packagesFor: () => ['@cairn/store-file'],
  load: async () => (await import('@cairn/store-file')).fileStorePlugin,
});

/**
 * `s3://` artifacts through @cairn/store-s3, an optional peer imported on first use (it loads the AWS SDK,
 * its own optional peers, on its first request and names them if they are missing).
 */
export const lazyS3StorePlugin: StorePlugin = createLazyStorePlugin({
  name: 's3',
  facets: ['openArtifacts'],
  handles: (uri) => parseArtifactUri(uri).scheme === 's3',
  packagesFor: () => ['@cairn/store-s3'],
  load: async () => (await import('@cairn/store-s3')).s3StorePlugin,
});

/**
 * The store plugins a client uses unless given others, tried in order: SQL, file, memory, REST, S3. The
 * SQL, file and S3 stores are optional peers of @cairn/client, imported on first use. `memory:<name>`
 * stores are shared by every client on this list in the process (as two clients on one database share
 * it); pass `createMemoryStorePlugin()` in a list of your own for stores no other client sees.
 */
export const defaultStorePlugins: readonly StorePlugin[] = [
  lazySqlStorePlugin,
  lazyFileStorePlugin,
  createMemoryStorePlugin(),
  restStorePlugin,
  lazyS3StorePlugin,
];
