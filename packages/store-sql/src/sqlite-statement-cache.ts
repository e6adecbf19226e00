/** The part of a better-sqlite3 statement the cache needs. */
interface CacheableStatement {
  /** True while an iterator over the statement's rows is open; it cannot run again until then. */
  readonly busy: boolean;
}

/** The part of a better-sqlite3 database Kysely's SQLite driver calls. */
export interface PreparingDatabase<S extends CacheableStatement> {
  prepare(sql: string): S;
  close(): unknown;
}

/** Statements kept per connection; a store runs a few dozen distinct hot queries. */
const defaultCapacity = 500;

/**
 * Wraps a better-sqlite3 database so `prepare` returns an already compiled statement for SQL text it has
 * seen. Kysely's SQLite driver prepares every query it runs, and better-sqlite3 compiles anew each time:
 * a 200-row INSERT was recompiled for every chunk of every batch (8% of ingest). The most recently used
 * statements are kept, so texts that vary (IN lists of every length) cannot grow the cache without bound.
 * A statement still being iterated is never handed out twice.
 */
export function cacheStatements<S extends CacheableStatement>(
  database: PreparingDatabase<S>,
  capacity = defaultCapacity,
): PreparingDatabase<S> {
  const statements = new Map<string, S>();
  return {
    prepare(sql: string): S {
      const cached = statements.get(sql);
      if (cached !== undefined && !cached.busy) {
        // Re-inserting moves the entry to the end: the map's order is least recently used first.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (cached === undefined) {
        statements.set(sql, statement);
        if (statements.size > capacity) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      }
      return statement;
    },
    close() {
      statements.clear();
      return database.close();
    },
  };
}
