import Database from 'better-sqlite3';

/** One table's shape as SQLite reports it, normalised so two databases can be compared with toEqual. */
export interface TableShape {
  columns: string[];
  primaryKey: string[];
  indexes: string[];
  foreignKeys: string[];
}

const normaliseDefault = (value: string | null) =>
  value === null ? '' : ` default ${value.replace(/^'(.*)'$/u, '$1')}`;

/**
 * Reads tables, columns (type, nullability, default), primary keys, named indexes and foreign keys of a
 * SQLite database file. Constraint names SQLite does not keep (inline FKs) are left out on both sides.
 */
export function sqliteSchemaShape(path: string): Record<string, TableShape> {
  const database = new Database(path, { readonly: true });
  try {
    const shape: Record<string, TableShape> = {};
    const tables = database
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[];
    for (const { name } of tables) {
      const columns = database.prepare(`PRAGMA table_xinfo("${name}")`).all() as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
        hidden: number;
      }[];
      const indexes = database.prepare(`PRAGMA index_list("${name}")`).all() as {
        name: string;
        unique: number;
        origin: string;
      }[];
      const foreignKeys = database.prepare(`PRAGMA foreign_key_list("${name}")`).all() as {
        id: number;
        table: string;
        from: string;
        to: string;
        on_update: string;
        on_delete: string;
      }[];
      const grouped = new Map<number, string[]>();
      for (const key of foreignKeys) {
        const text = `${key.from}->${key.table}.${key.to} update ${key.on_update} delete ${key.on_delete}`;
        grouped.set(key.id, [...(grouped.get(key.id) ?? []), text]);
      }
      shape[name] = {
        columns: columns
          .map(
            (column) =>
              `${column.name} ${column.type.toUpperCase()}${column.notnull ? ' not null' : ''}${normaliseDefault(column.dflt_value)}${column.hidden ? ' generated' : ''}`,
          )
          .sort(),
        primaryKey: columns
          .filter((column) => column.pk > 0)
          .sort((left, right) => left.pk - right.pk)
          .map((column) => column.name),
        indexes: indexes
          // Cairn's own indexes (cairnIndexes, all named cairn_*) are not MLflow's schema; tests check them apart.
          .filter((index) => index.origin === 'c' && !index.name.startsWith('cairn_'))
          .map((index) => {
            const parts = database.prepare(`PRAGMA index_xinfo("${index.name}")`).all() as {
              name: string | null;
              desc: number;
              key: number;
            }[];
            const keyColumns = parts
              .filter((part) => part.key === 1)
              .map((part) => `${part.name}${part.desc ? ' DESC' : ''}`);
            return `${index.unique ? 'unique ' : ''}${index.name} (${keyColumns.join(', ')})`;
          })
          .sort(),
        foreignKeys: [...grouped.values()].map((parts) => parts.join(' & ')).sort(),
      };
    }
    return shape;
  } finally {
    database.close();
  }
}
