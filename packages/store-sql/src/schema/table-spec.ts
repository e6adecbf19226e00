import type { SqlDialectName } from '../sql-dialect-name.js';

/**
 * A dialect-neutral description of one table of MLflow's schema. Columns are written compactly as
 * `'<name> <type> [generated <expression>] [default <literal>] [not null [except mysql]]'` and rendered per dialect by
 * `renderSchema`, so the three dialects share one source of truth.
 */
export interface TableSpec {
  name: string;
  columns: readonly string[];
  primaryKey: { name: string; columns: readonly string[] };
  foreignKeys?: readonly ForeignKeySpec[];
  uniques?: readonly { name: string; columns: readonly string[] }[];
  checks?: readonly CheckSpec[];
  indexes?: readonly IndexSpec[];
}

/** An index. */
export interface IndexSpec {
  name: string;
  /** Columns may carry a ` DESC` suffix. */
  columns: readonly string[];
  unique?: boolean;
  /** Only in these dialects (MLflow's migrations left some indexes behind on one dialect). */
  dialects?: readonly SqlDialectName[];
  /** Prefix lengths of long VARCHAR columns on MySQL. */
  mysqlPrefixes?: Readonly<Record<string, number>>;
  /** Extra covered columns (INCLUDE) on PostgreSQL. */
  postgresInclude?: readonly string[];
  /** A partial-index condition on PostgreSQL. */
  postgresWhere?: string;
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
  /** Only in these dialects (SQLAlchemy adds boolean `IN (0, 1)` checks where booleans are not native). */
  dialects?: readonly SqlDialectName[];
}

/** The column types the schema uses. `serial` / `bigserial` are auto-incrementing integer keys. */
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
        | 'bigserial'
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
  /** MLflow's MySQL migrations left this column nullable where the other dialects have NOT NULL. */
  nullableOnMysql: boolean;
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
  'bigserial',
  'float',
  'double',
  'boolean',
  'json',
  'blob',
  'date',
]);

const columnPattern =
  /^(?<name>\w+) (?<type>\w+(?:\(\d+\))?)(?: generated (?<generated>.+?))?(?: default (?<defaultValue>'[^']*'|\S+))?(?<notNull> not null(?<exceptMysql> except mysql)?)?$/u;

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
    nullableOnMysql: groups.exceptMysql !== undefined,
    ...(groups.defaultValue === undefined ? {} : { defaultValue: groups.defaultValue }),
    ...(groups.generated === undefined ? {} : { generated: groups.generated }),
  };
}
