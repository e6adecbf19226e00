/**
 * A dialect-neutral description of one table of MLflow's schema. Columns are written compactly as
 * `'<name> <type> [generated <expression>] [default <literal>] [not null]'` and rendered per dialect by
 * `renderSchema`, so the three dialects share one source of truth.
 */
export interface TableSpec {
  name: string;
  columns: readonly string[];
  primaryKey: { name: string; columns: readonly string[] };
  foreignKeys?: readonly ForeignKeySpec[];
  uniques?: readonly { name: string; columns: readonly string[] }[];
  checks?: readonly CheckSpec[];
  /** Columns may carry a ` DESC` suffix. */
  indexes?: readonly { name: string; columns: readonly string[]; unique?: boolean }[];
}

/** A foreign key; `actions` is e.g. `ON DELETE CASCADE`. */
export interface ForeignKeySpec {
  name?: string;
  columns: readonly string[];
  references: string;
  referencedColumns: readonly string[];
  actions?: string;
}

/** A CHECK constraint. */
export interface CheckSpec {
  name?: string;
  expression: string;
  /** Only for dialects without a native boolean (SQLAlchemy adds `IN (0, 1)` checks there). */
  nonNativeBoolean?: boolean;
}

/** The column types the schema uses. `serial` is an auto-incrementing integer key. */
export type ColumnType =
  | { kind: 'varchar'; length: number }
  | {
      kind:
        | 'text'
        | 'mediumtext'
        | 'longtext'
        | 'bigint'
        | 'integer'
        | 'serial'
        | 'float'
        | 'double'
        | 'boolean'
        | 'json'
        | 'blob'
        | 'date';
    };

/** One parsed column. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  notNull: boolean;
  /** The literal as written in the spec: a quoted string, a number, `true` or `false`. */
  defaultValue?: string;
  /** A stored generated column's expression. */
  generated?: string;
}

const simpleTypes = new Set([
  'text',
  'mediumtext',
  'longtext',
  'bigint',
  'integer',
  'serial',
  'float',
  'double',
  'boolean',
  'json',
  'blob',
  'date',
]);

const columnPattern =
  /^(?<name>\w+) (?<type>\w+(?:\(\d+\))?)(?: generated (?<generated>.+?))?(?: default (?<defaultValue>'[^']*'|\S+))?(?<notNull> not null)?$/u;

/** Parses one compact column definition; throws on a typo so a bad spec fails at the first test. */
export function parseColumn(definition: string): ColumnSpec {
  const match = columnPattern.exec(definition);
  const groups = match?.groups;
  if (groups === undefined) throw new Error(`Malformed column spec: ${definition}`);
  const rawType = groups.type as string;
  const varchar = /^varchar\((\d+)\)$/u.exec(rawType);
  let type: ColumnType;
  if (varchar !== null) type = { kind: 'varchar', length: Number(varchar[1]) };
  else if (simpleTypes.has(rawType))
    type = { kind: rawType as Exclude<ColumnType['kind'], 'varchar'> } as ColumnType;
  else throw new Error(`Unknown column type in spec: ${definition}`);
  return {
    name: groups.name as string,
    type,
    notNull: groups.notNull !== undefined,
    ...(groups.defaultValue === undefined ? {} : { defaultValue: groups.defaultValue }),
    ...(groups.generated === undefined ? {} : { generated: groups.generated }),
  };
}
