import { resolve } from 'node:path';
import { CairnError, invalidParameter, parseTrackingUri } from '@cairn/core';
import { type Dialect, Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import type { SqlDialectName } from './sql-dialect-name.js';
import { cacheStatements } from './sqlite-statement-cache.js';

/** Driver modules to use instead of importing them; for bundlers and tests. */
export interface SqlDriverModules {
  /** The `better-sqlite3` module's default export. */
  betterSqlite3?: unknown;
  /** The `pg` module. */
  pg?: unknown;
  /** The `mysql2` module. */
  mysql2?: unknown;
}

/** Options of {@link openSqlDatabase}. */
export interface OpenSqlDatabaseOptions {
  /** Drivers passed in rather than imported on first use. */
  modules?: SqlDriverModules;
  /** Largest number of pooled connections for PostgreSQL and MySQL; default 10. */
  poolSize?: number;
  /** How long SQLite waits for another writer's lock before failing, in ms; default 30000. */
  sqliteBusyTimeoutMs?: number;
  /**
   * A lock the other processes writing this SQLite file take too (a server's cluster workers), held around
   * each write transaction. Without it they meet at SQLite's file lock, where a waiting process sleeps in
   * SQLite's busy handler (1 ms, 2 ms, 5 ms, ... with its event loop blocked) while the lock may already be free.
   */
  sqliteWriteLock?: SqliteWriteLock;
}

/** A lock shared by the processes that write one SQLite file; see `sqliteWriteLock`. */
export interface SqliteWriteLock {
  /** Resolves when this caller holds the lock, with the function that releases it. */
  acquire(): Promise<() => void>;
}

/** An open database: a Kysely instance over MLflow's tables and the dialect it speaks. */
export interface SqlDatabase {
  db: Kysely<MlflowDatabase>;
  dialect: SqlDialectName;
  /** The URI with any password hidden, for messages. */
  displayUri: string;
  close(): Promise<void>;
}

interface BetterSqlite3Constructor {
  new (
    path: string,
    options?: object,
  ): {
    pragma(source: string): unknown;
    prepare(sql: string): SqliteStatement;
    close(): unknown;
  };
}

/** The part of a better-sqlite3 statement the store uses directly. */
interface SqliteStatement {
  readonly busy: boolean;
  run(parameters: readonly unknown[]): unknown;
}

/** A better-sqlite3 connection as the store's hot paths use it: statements prepared once, run synchronously. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** What each SQLite Kysely instance runs on: its better-sqlite3 connection once opened, and its write lock. */
interface SqliteState {
  connection?: SqliteConnection;
  writeLock?: SqliteWriteLock;
}

const sqliteStates = new WeakMap<Kysely<MlflowDatabase>, SqliteState>();

/**
 * The better-sqlite3 connection a SQLite database's Kysely instance runs on, once it has run a query.
 * Statements run on it join whatever transaction Kysely holds there, so a caller inside
 * `writeTransaction` may run a prepared statement row by row without a round through Kysely per row.
 */
export function sqliteConnection(database: SqlDatabase): SqliteConnection | undefined {
  return sqliteStates.get(database.db)?.connection;
}

/** The cross-process write lock given for a SQLite database (`sqliteWriteLock`), if any. */
export function sqliteWriteLock(database: SqlDatabase): SqliteWriteLock | undefined {
  return sqliteStates.get(database.db)?.writeLock;
}

interface PgModule {
  Pool: new (config: object) => unknown;
  types: { setTypeParser(oid: number, parser: (value: string) => unknown): void };
}

interface Mysql2Module {
  createPool(config: object): unknown;
}

async function loadDriver<T>(name: string, injected: unknown): Promise<T> {
  if (injected !== undefined) return injected as T;
  try {
    const module = (await import(name)) as { default?: unknown };
    return (module.default ?? module) as T;
  } catch (error) {
    throw new CairnError(
      'INTERNAL_ERROR',
      `The SQL store needs the optional package '${name}' for this database URI; install it with 'pnpm add ${name}'`,
      { cause: error },
    );
  }
}

function hidePassword(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/u, '//$1:***@');
}

/** `postgresql+psycopg2://` and `mysql+pymysql://` are SQLAlchemy spellings; the Node drivers want the plain scheme. */
function withoutDriverSuffix(uri: string, scheme: string): string {
  return uri.replace(/^[a-zA-Z][a-zA-Z0-9.-]*(\+[a-zA-Z0-9.-]+)?:/u, `${scheme}:`);
}

/** How much of a SQLite file is memory-mapped (the file's pages, shared with the OS cache; not heap). */
const sqliteMmapBytes = 1 << 30;

function sqliteDialect(path: string, options: OpenSqlDatabaseOptions, holder: SqliteState): Dialect {
  return new SqliteDialect({
    database: async () => {
      const Database = await loadDriver<BetterSqlite3Constructor>(
        'better-sqlite3',
        options.modules?.betterSqlite3,
      );
      const database = new Database(path);
      // WAL lets readers run beside a writer; NORMAL is durable at each checkpoint and much faster.
      if (path !== ':memory:') database.pragma('journal_mode = WAL');
      database.pragma(`busy_timeout = ${options.sqliteBusyTimeoutMs ?? 30_000}`);
      database.pragma('synchronous = NORMAL');
      // Reads straight from the mapped file instead of a read() per page missing from SQLite's cache: a
      // search over 100,000 runs visits several hundred thousand index pages.
      database.pragma(`mmap_size = ${sqliteMmapBytes}`);
      const connection = cacheStatements(database);
      holder.connection = connection;
      return connection as never;
    },
  });
}

function postgresDialect(uri: string, options: OpenSqlDatabaseOptions): Dialect {
  return new PostgresDialect({
    pool: async () => {
      const pg = await loadDriver<PgModule>('pg', options.modules?.pg);
      return new pg.Pool({
        connectionString: withoutDriverSuffix(uri, 'postgresql'),
        max: options.poolSize ?? 10,
      }) as never;
    },
  });
}

function mysqlDialect(uri: string, options: OpenSqlDatabaseOptions): Dialect {
  return new MysqlDialect({
    pool: async () => {
      const mysql = await loadDriver<Mysql2Module>('mysql2', options.modules?.mysql2);
      return mysql.createPool({
        uri: withoutDriverSuffix(uri, 'mysql'),
        connectionLimit: options.poolSize ?? 10,
        // BIGINT millisecond times fit in a double; returning them as numbers spares a conversion.
        supportBigNumbers: true,
        bigNumberStrings: false,
      }) as never;
    },
  });
}

/** SQLite files open in this process, by absolute path, with how many stores hold each. */
const openSqliteFiles = new Map<string, { database: SqlDatabase; holders: number }>();

/**
 * Stores on one SQLite file in one process (a server's tracking and registry stores) share one connection.
 * better-sqlite3 waits for a lock synchronously, so a second connection in the same thread would block the
 * event loop until its busy timeout while the first, which holds the lock across an await, can never
 * finish: "database is locked". One connection lets Kysely's mutex order their transactions instead.
 * The first opener's options (driver, busy timeout) apply; the file closes when its last holder closes.
 */
function shareSqliteFile(path: string, open: () => SqlDatabase): SqlDatabase {
  if (path === ':memory:') return open();
  const key = resolve(path);
  let entry = openSqliteFiles.get(key);
  if (entry === undefined) {
    entry = { database: open(), holders: 0 };
    openSqliteFiles.set(key, entry);
  }
  const shared = entry;
  shared.holders += 1;
  let closed = false;
  return {
    ...shared.database,
    close: async () => {
      if (closed) return;
      closed = true;
      shared.holders -= 1;
      if (shared.holders > 0) return;
      openSqliteFiles.delete(key);
      await shared.database.close();
    },
  };
}

/**
 * Opens a database from a tracking URI (`sqlite:///path.db`, `postgresql://...`, `mysql://...`), loading
 * its driver on first use. The schema is not checked here; see `upgradeDatabase` and the store.
 */
export function openSqlDatabase(uri: string, options: OpenSqlDatabaseOptions = {}): SqlDatabase {
  const parsed = parseTrackingUri(uri);
  if (parsed.kind === 'sqlite') {
    return shareSqliteFile(parsed.path, () => openUnshared(uri, options));
  }
  return openUnshared(uri, options);
}

function openUnshared(uri: string, options: OpenSqlDatabaseOptions): SqlDatabase {
  const parsed = parseTrackingUri(uri);
  let dialect: SqlDialectName;
  let kyselyDialect: Dialect;
  const holder: SqliteState = options.sqliteWriteLock ? { writeLock: options.sqliteWriteLock } : {};
  switch (parsed.kind) {
    case 'sqlite':
      dialect = 'sqlite';
      kyselyDialect = sqliteDialect(parsed.path, options, holder);
      break;
    case 'postgresql':
      dialect = 'postgres';
      kyselyDialect = postgresDialect(parsed.uri, options);
      break;
    case 'mysql':
      dialect = 'mysql';
      kyselyDialect = mysqlDialect(parsed.uri, options);
      break;
    default:
      throw invalidParameter(
        `Unsupported database URI '${hidePassword(uri)}': expected sqlite:///<path>, postgresql://... or mysql://...`,
        { field: 'uri' },
      );
  }
  const db = new Kysely<MlflowDatabase>({ dialect: kyselyDialect });
  if (dialect === 'sqlite') sqliteStates.set(db, holder);
  return { db, dialect, displayUri: hidePassword(uri), close: () => db.destroy() };
}
