import { sql } from 'kysely';
import { allTables, quote } from './schema/render-schema.js';
import type { TableSpec } from './schema/table-spec.js';
import type { SqlDialectName } from './sql-dialect-name.js';
import type { SqlTransaction } from './sql-transaction.js';

/** Rows that keep existing but stop pointing at the purged experiment (an `ON DELETE SET NULL` key). */
interface Nullified {
  table: string;
  columns: readonly string[];
  condition: string;
}

const columnNames = (table: TableSpec) => new Set(table.columns.map((column) => column.split(' ')[0]));

/**
 * Every row that belongs to one experiment, derived from the schema's foreign keys so no table is
 * forgotten: the tables referencing `experiments`, those referencing them, and so on (a key without
 * actions counts as a cascade, as MLflow's ORM cascades runs, tags, metrics and params), plus the
 * tables that carry an `experiment_id` without a key (MLflow's rollups) and the `inputs` rows linking
 * the experiment's runs, datasets and logged models, which have no key at all. Children come before
 * their parents, so every step still finds the rows its condition walks through.
 * `id` is a validated integer and `dialect` picks the identifier quoting.
 */
export function experimentPurgeStatements(dialect: SqlDialectName, id: number): string[] {
  const q = (name: string) => quote(dialect, name);
  const list = (columns: readonly string[]) =>
    columns.length === 1 ? q(columns[0] as string) : `(${columns.map(q).join(', ')})`;
  const byName = new Map(allTables.map((table) => [table.name, table]));
  /** For each table whose rows go, the condition selecting them. */
  const selected = new Map<string, string>([['experiments', `${q('experiment_id')} = ${id}`]]);
  const nullify: Nullified[] = [];

  // Breadth-first over the key graph; a table reached by several keys gets their conditions OR-ed. The
  // depth bound stops a (hypothetical) cycle of keys from looping forever.
  let frontier = ['experiments'];
  for (let depth = 0; frontier.length > 0 && depth <= allTables.length; depth += 1) {
    const next: string[] = [];
    for (const table of allTables) {
      for (const key of table.foreignKeys ?? []) {
        if (!frontier.includes(key.references) || key.references === table.name) continue;
        const condition =
          key.references === 'experiments'
            ? `${list(key.columns)} = ${id}`
            : `${list(key.columns)} IN (SELECT ${key.referencedColumns.map(q).join(', ')} FROM ${q(key.references)} WHERE ${selected.get(key.references) as string})`;
        if (/ON DELETE SET NULL/iu.test(key.actions ?? '')) {
          nullify.push({ table: table.name, columns: key.columns, condition });
          continue;
        }
        const existing = selected.get(table.name);
        selected.set(table.name, existing === undefined ? condition : `(${existing}) OR (${condition})`);
        if (!next.includes(table.name)) next.push(table.name);
      }
    }
    frontier = next;
  }
  // Tables keyed by experiment id without a foreign key (MLflow's trace and assessment rollups).
  for (const table of allTables) {
    if (selected.has(table.name) || !columnNames(table).has('experiment_id')) continue;
    if ((table.foreignKeys ?? []).some((key) => key.columns.includes('experiment_id'))) continue;
    selected.set(table.name, `${q('experiment_id')} = ${id}`);
  }

  const statements: string[] = [];
  // `inputs` links runs, datasets and logged models by id, without keys; its tags hang off input_uuid.
  if (byName.has('inputs')) {
    const ids = (table: string, column: string) =>
      `SELECT ${q(column)} FROM ${q(table)} WHERE ${selected.get(table) as string}`;
    const owned = [
      ids('runs', 'run_uuid'),
      ids('datasets', 'dataset_uuid'),
      ids('logged_models', 'model_id'),
    ];
    const inputs = [
      ...owned.map((subquery) => `${q('source_id')} IN (${subquery})`),
      ...owned.map((subquery) => `${q('destination_id')} IN (${subquery})`),
    ].join(' OR ');
    statements.push(
      `DELETE FROM ${q('input_tags')} WHERE ${q('input_uuid')} IN (SELECT ${q('input_uuid')} FROM ${q('inputs')} WHERE ${inputs})`,
      `DELETE FROM ${q('inputs')} WHERE ${inputs}`,
    );
  }
  for (const step of nullify) {
    const assignments = step.columns.map((column) => `${q(column)} = NULL`).join(', ');
    statements.push(`UPDATE ${q(step.table)} SET ${assignments} WHERE ${step.condition}`);
  }
  // A table goes once no remaining table still points at it (referencing rows first, as the keys require).
  const remaining = new Set(selected.keys());
  while (remaining.size > 0) {
    const ready = [...remaining].filter(
      (name) =>
        ![...remaining].some(
          (other) =>
            other !== name && (byName.get(other)?.foreignKeys ?? []).some((key) => key.references === name),
        ),
    );
    if (ready.length === 0) throw new Error(`Foreign keys form a cycle among ${[...remaining].join(', ')}`);
    for (const table of ready) {
      statements.push(`DELETE FROM ${q(table)} WHERE ${selected.get(table) as string}`);
      remaining.delete(table);
    }
  }
  return statements;
}

/** Runs {@link experimentPurgeStatements} inside an open write transaction. */
export async function purgeExperimentRows(
  transaction: SqlTransaction,
  dialect: SqlDialectName,
  id: number,
): Promise<void> {
  for (const statement of experimentPurgeStatements(dialect, id)) {
    await sql.raw(statement).execute(transaction);
  }
}
