import { CompiledQuery } from 'kysely';
import { type SqlDatabase, sqliteConnection } from './open-sql-database.js';
import { quote } from './schema/render-schema.js';
import type { SqlDialectName } from './sql-dialect-name.js';
import type { SqlTransaction } from './sql-transaction.js';

/** Rows per INSERT, well under every dialect's bound-parameter limit. */
const chunkSize = 200;

/** INSERT texts by dialect, table, columns and row count: a batch of 1,000 points needs one text. */
const texts = new Map<string, string>();

/** What an INSERT does with a row whose primary key exists: keep the stored row, or overwrite it. */
type OnConflict = { kind: 'ignore' } | { kind: 'update'; keyColumns: readonly string[] };

function conflictClause(dialect: SqlDialectName, columns: readonly string[], onConflict: OnConflict): string {
  if (onConflict.kind === 'ignore') {
    // A no-op update rather than INSERT IGNORE, which would also hide truncation and other errors.
    return dialect === 'mysql'
      ? ` ON DUPLICATE KEY UPDATE ${quote(dialect, 'key')} = ${quote(dialect, 'key')}`
      : ' ON CONFLICT DO NOTHING';
  }
  const keys = onConflict.keyColumns.map((column) => quote(dialect, column));
  const assignments = columns
    .filter((column) => !onConflict.keyColumns.includes(column))
    .map((column) => `${quote(dialect, column)} = excluded.${quote(dialect, column)}`);
  return ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${assignments.join(', ')}`;
}

function insertText(
  dialect: SqlDialectName,
  table: string,
  columns: readonly string[],
  rows: number,
  onConflict: OnConflict = { kind: 'ignore' },
): string {
  const cacheKey = `${dialect}\u0000${table}\u0000${columns.join(',')}\u0000${rows}\u0000${onConflict.kind}`;
  const cached = texts.get(cacheKey);
  if (cached !== undefined) return cached;
  let parameter = 0;
  const placeholder = () => {
    parameter += 1;
    return dialect === 'postgres' ? `$${parameter}` : '?';
  };
  const tuples = Array.from({ length: rows }, () => `(${columns.map(placeholder).join(', ')})`);
  const names = columns.map((column) => quote(dialect, column)).join(', ');
  const conflict = conflictClause(dialect, columns, onConflict);
  const text = `INSERT INTO ${quote(dialect, table)} (${names}) VALUES ${tuples.join(', ')}${conflict}`;
  texts.set(cacheKey, text);
  return text;
}

/**
 * Inserts rows (each an array of values in `columns` order), skipping any whose primary key already
 * exists, so a retried batch is not an error. The hot path of ingest, so no Kysely query builder (it cost
 * ~15% of a log-batch compiling 200-row INSERTs node by node): on SQLite one prepared single-row INSERT
 * runs for each row on the connection that holds the transaction (better-sqlite3 is synchronous, so no
 * other query can interleave; per row that measured faster than multi-row INSERTs); elsewhere a multi-row
 * text built once per row count is bound with a flat parameter list. Tables and columns are constants.
 */
export async function insertIgnoringDuplicates(
  database: SqlDatabase,
  transaction: SqlTransaction,
  table: 'metrics' | 'params' | 'latest_metrics',
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const { dialect } = database;
  const connection = dialect === 'sqlite' ? sqliteConnection(database) : undefined;
  if (connection !== undefined) {
    const statement = connection.prepare(insertText(dialect, table, columns, 1));
    for (const row of rows) statement.run(row);
    return;
  }
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const value of row) parameters.push(value);
    await transaction.executeQuery(
      CompiledQuery.raw(insertText(dialect, table, columns, chunk.length), parameters),
    );
  }
}

/**
 * Inserts rows, overwriting the other columns of any row whose `keyColumns` (the primary key) exist, in one
 * statement per chunk. SQLite and PostgreSQL only (`ON CONFLICT ... DO UPDATE`); the caller keeps
 * MySQL on UPDATE-by-key, which locks less.
 */
export async function upsertRows(
  database: SqlDatabase,
  transaction: SqlTransaction,
  table: 'latest_metrics',
  columns: readonly string[],
  keyColumns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const text = insertText(database.dialect, table, columns, chunk.length, { kind: 'update', keyColumns });
    await transaction.executeQuery(CompiledQuery.raw(text, chunk.flat()));
  }
}
