import type { SqlDialectName } from '../sql-dialect-name.js';
import { agentCatalogTables } from './agent-catalog-tables.js';
import { genaiTables } from './genai-tables.js';
import { mlflowSchemaRevision } from './mlflow-revision.js';
import { registryTables } from './registry-tables.js';
import { type ColumnSpec, type ColumnType, parseColumn, type TableSpec } from './table-spec.js';
import { tracingTables } from './tracing-tables.js';
import { trackingTables } from './tracking-tables.js';

/** Every table of MLflow 3.18.0's schema except `alembic_version`. */
export const allTables: readonly TableSpec[] = [
  ...trackingTables,
  ...registryTables,
  ...tracingTables,
  ...genaiTables,
  ...agentCatalogTables,
];

function quote(dialect: SqlDialectName, identifier: string): string {
  return dialect === 'mysql' ? `\`${identifier}\`` : `"${identifier}"`;
}

function renderType(dialect: SqlDialectName, type: ColumnType): string {
  switch (type.kind) {
    case 'varchar':
      return `VARCHAR(${type.length})`;
    case 'mediumtext':
      return dialect === 'mysql' ? 'MEDIUMTEXT' : 'TEXT';
    case 'longtext':
      return dialect === 'mysql' ? 'LONGTEXT' : 'TEXT';
    case 'serial':
      if (dialect === 'postgres') return 'SERIAL';
      return dialect === 'mysql' ? 'INTEGER AUTO_INCREMENT' : 'INTEGER';
    case 'double':
      // MLflow declares these Float(precision=53): a 64-bit float everywhere (SQLite's FLOAT already is).
      if (dialect === 'postgres') return 'DOUBLE PRECISION';
      return dialect === 'mysql' ? 'DOUBLE' : 'FLOAT';
    case 'blob':
      return dialect === 'postgres' ? 'BYTEA' : 'BLOB';
    case 'boolean':
      return dialect === 'mysql' ? 'BOOL' : 'BOOLEAN';
    default:
      return type.kind.toUpperCase();
  }
}

function renderDefault(dialect: SqlDialectName, column: ColumnSpec): string {
  const literal = column.defaultValue as string;
  if (column.type.kind === 'boolean' && dialect === 'postgres') {
    return /^'?(1|true)'?$/iu.test(literal) ? 'true' : 'false';
  }
  return literal;
}

function renderColumn(dialect: SqlDialectName, column: ColumnSpec): string {
  let sql = `${quote(dialect, column.name)} ${renderType(dialect, column.type)}`;
  if (column.generated !== undefined) {
    const expression = column.generated.replace(/\b([a-z_]+)\b/gu, (name) => quote(dialect, name));
    sql += ` GENERATED ALWAYS AS (${expression}) STORED`;
  }
  if (column.defaultValue !== undefined) sql += ` DEFAULT ${renderDefault(dialect, column)}`;
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

const columnList = (dialect: SqlDialectName, columns: readonly string[]) =>
  columns
    .map((column) => {
      const [name, direction] = column.split(' ');
      return direction === undefined
        ? quote(dialect, name as string)
        : `${quote(dialect, name as string)} ${direction}`;
    })
    .join(', ');

/** InnoDB keys are limited to 3072 bytes; utf8mb4 counts 4 bytes a character. */
const mysqlKeyBytes = 3072;

/** MySQL index columns, shortened with prefix lengths when the full key would be too long. */
function mysqlIndexColumns(table: TableSpec, columns: readonly string[]): string {
  const specs = new Map(
    table.columns.map((definition) => {
      const column = parseColumn(definition);
      return [column.name, column];
    }),
  );
  const widths = columns.map((column) => {
    const type = specs.get(column.split(' ')[0] as string)?.type;
    return type?.kind === 'varchar' ? type.length * 4 : 8;
  });
  const total = widths.reduce((sum, width) => sum + width, 0);
  if (total <= mysqlKeyBytes) return columnList('mysql', columns);
  const scale = (mysqlKeyBytes - 64) / total;
  return columns
    .map((column) => {
      const [name, direction] = column.split(' ');
      const type = specs.get(name as string)?.type;
      const prefix = type?.kind === 'varchar' ? `(${Math.max(1, Math.floor(type.length * scale))})` : '';
      return `\`${name}\`${prefix}${direction === undefined ? '' : ` ${direction}`}`;
    })
    .join(', ');
}

function renderTable(dialect: SqlDialectName, table: TableSpec): string[] {
  const parts = table.columns.map((definition) => `  ${renderColumn(dialect, parseColumn(definition))}`);
  parts.push(
    `  CONSTRAINT ${quote(dialect, table.primaryKey.name)} PRIMARY KEY (${columnList(dialect, table.primaryKey.columns)})`,
  );
  for (const unique of table.uniques ?? []) {
    parts.push(`  CONSTRAINT ${quote(dialect, unique.name)} UNIQUE (${columnList(dialect, unique.columns)})`);
  }
  for (const check of table.checks ?? []) {
    if (check.nonNativeBoolean && dialect === 'postgres') continue;
    const name = check.name === undefined ? '' : `CONSTRAINT ${quote(dialect, check.name)} `;
    parts.push(`  ${name}CHECK (${check.expression})`);
  }
  for (const foreignKey of table.foreignKeys ?? []) {
    const name = foreignKey.name === undefined ? '' : `CONSTRAINT ${quote(dialect, foreignKey.name)} `;
    const actions = foreignKey.actions ? ` ${foreignKey.actions}` : '';
    parts.push(
      `  ${name}FOREIGN KEY (${columnList(dialect, foreignKey.columns)}) REFERENCES ${quote(dialect, foreignKey.references)} (${columnList(dialect, foreignKey.referencedColumns)})${actions}`,
    );
  }
  // Binary collation so names, keys and LIKE compare case-sensitively, as on SQLite and PostgreSQL.
  const suffix = dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : '';
  const statements = [`CREATE TABLE ${quote(dialect, table.name)} (\n${parts.join(',\n')}\n)${suffix}`];
  for (const index of table.indexes ?? []) {
    const columns =
      dialect === 'mysql' ? mysqlIndexColumns(table, index.columns) : columnList(dialect, index.columns);
    statements.push(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quote(dialect, index.name)} ON ${quote(dialect, table.name)} (${columns})`,
    );
  }
  return statements;
}

/** Tables in an order where every referenced table comes first (PostgreSQL and MySQL require it). */
function inDependencyOrder(tables: readonly TableSpec[]): TableSpec[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const ordered: TableSpec[] = [];
  const placed = new Set<string>();
  const visit = (table: TableSpec) => {
    if (placed.has(table.name)) return;
    placed.add(table.name);
    for (const foreignKey of table.foreignKeys ?? []) {
      const target = byName.get(foreignKey.references);
      if (target !== undefined) visit(target);
    }
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

const secretsGuardMessage = 'secret_id and secret_name cannot change: they are bound into the encryption';

/** MLflow guards the secrets table's identity columns with a trigger; each dialect spells it differently. */
function secretsTrigger(dialect: SqlDialectName): string[] {
  const changed = 'OLD.secret_id <> NEW.secret_id OR OLD.secret_name <> NEW.secret_name';
  switch (dialect) {
    case 'sqlite':
      return [
        `CREATE TRIGGER prevent_secrets_aad_mutation BEFORE UPDATE ON secrets FOR EACH ROW WHEN ${changed} BEGIN SELECT RAISE(ABORT, '${secretsGuardMessage}'); END`,
      ];
    case 'postgres':
      return [
        `CREATE OR REPLACE FUNCTION prevent_secrets_aad_mutation() RETURNS TRIGGER AS $$ BEGIN IF ${changed} THEN RAISE EXCEPTION '${secretsGuardMessage}'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql`,
        'CREATE TRIGGER prevent_secrets_aad_mutation BEFORE UPDATE ON secrets FOR EACH ROW EXECUTE FUNCTION prevent_secrets_aad_mutation()',
      ];
    case 'mysql':
      return [
        `CREATE TRIGGER prevent_secrets_aad_mutation BEFORE UPDATE ON secrets FOR EACH ROW BEGIN IF ${changed} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${secretsGuardMessage}'; END IF; END`,
      ];
  }
}

/**
 * The statements that create MLflow 3.18.0's schema in one dialect, ending with the `alembic_version`
 * row MLflow reads to decide the database is up to date.
 */
export function renderSchema(dialect: SqlDialectName): string[] {
  const mysqlSuffix = dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : '';
  const statements = [
    `CREATE TABLE ${quote(dialect, 'alembic_version')} (\n  ${quote(dialect, 'version_num')} VARCHAR(32) NOT NULL,\n  CONSTRAINT ${quote(dialect, 'alembic_version_pkc')} PRIMARY KEY (${quote(dialect, 'version_num')})\n)${mysqlSuffix}`,
  ];
  for (const table of inDependencyOrder(allTables)) statements.push(...renderTable(dialect, table));
  statements.push(...secretsTrigger(dialect));
  statements.push(
    `INSERT INTO ${quote(dialect, 'alembic_version')} (${quote(dialect, 'version_num')}) VALUES ('${mlflowSchemaRevision}')`,
  );
  return statements;
}
