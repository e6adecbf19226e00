import { type Comparison, invalidParameter, type SearchFilter, systemTags } from '@cairn/core';
import { type RawBuilder, sql } from 'kysely';
import type { SqlDialectName } from './sql-dialect-name.js';
import { inputKinds } from './sql-rows.js';
import { booleanParameter } from './sql-values.js';

type Condition = RawBuilder<unknown>;

/** SQLite's LIKE ignores ASCII case, so a case-sensitive LIKE becomes GLOB with the wildcards translated. */
function globPattern(like: string): string {
  let glob = '';
  for (const char of like) {
    if (char === '%') glob += '*';
    else if (char === '_') glob += '?';
    else if (char === '*' || char === '?' || char === '[') glob += `[${char}]`;
    else glob += char;
  }
  return glob;
}

/** PostgreSQL and MySQL treat `\` in LIKE patterns as an escape; core's grammar has no escape, so double it. */
const likeValue = (pattern: string) => pattern.replace(/\\/gu, '\\\\');

/**
 * MySQL's `=` ignores trailing spaces (PAD SPACE collations), so `'' = ' '` holds there; comparing as
 * binary strings makes equality exact, as on SQLite and PostgreSQL and in core's evaluator.
 */
const exact = (dialect: SqlDialectName, expression: unknown): RawBuilder<unknown> =>
  dialect === 'mysql' ? sql`BINARY ${expression}` : sql`${expression}`;

/** A string comparison; the value is always a bound parameter. */
export function stringCondition(
  dialect: SqlDialectName,
  column: RawBuilder<unknown>,
  clause: Comparison,
): Condition {
  const value = clause.value;
  switch (clause.comparator) {
    case '=':
      return sql`${exact(dialect, column)} = ${exact(dialect, String(value))}`;
    case '!=':
      return sql`${exact(dialect, column)} <> ${exact(dialect, String(value))}`;
    case 'LIKE':
      if (dialect === 'sqlite') return sql`${column} GLOB ${globPattern(String(value))}`;
      return sql`${column} LIKE ${likeValue(String(value))}`;
    case 'ILIKE':
      if (dialect === 'sqlite') return sql`${column} LIKE ${String(value)}`;
      if (dialect === 'postgres') return sql`${column} ILIKE ${likeValue(String(value))}`;
      return sql`LOWER(${column}) LIKE LOWER(${likeValue(String(value))})`;
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(value) ? value : [String(value)];
      if (list.length === 0) return clause.comparator === 'IN' ? sql`1 = 0` : sql`1 = 1`;
      const values = sql.join(list.map((item) => exact(dialect, item)));
      const target = exact(dialect, column);
      return clause.comparator === 'IN' ? sql`${target} IN (${values})` : sql`${target} NOT IN (${values})`;
    }
    default:
      throw invalidParameter(`Comparator '${clause.comparator}' is not supported on ${clause.key}`, {
        field: 'filter',
      });
  }
}

const numericOperators: Readonly<Record<string, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** A numeric comparison; the operator comes from a fixed table, the value is bound. */
export function numericCondition(column: RawBuilder<unknown>, clause: Comparison): Condition {
  const operator = numericOperators[clause.comparator];
  if (operator === undefined || typeof clause.value !== 'number') {
    throw invalidParameter(`Comparator '${clause.comparator}' is not supported on ${clause.key}`, {
      field: 'filter',
    });
  }
  return sql`${column} ${sql.raw(operator)} ${clause.value}`;
}

/** A clause over a keyed child table (params, tags...): EXISTS for a value test, NOT EXISTS for IS NULL. */
function keyedCondition(
  table: 'params' | 'tags' | 'latest_metrics' | 'experiment_tags',
  owner: RawBuilder<unknown>,
  ownerColumn: string,
  clause: Comparison,
  valueCondition: (value: RawBuilder<unknown>) => Condition,
): Condition {
  const child = sql.table(table);
  const match = sql`${sql.ref(`f.${ownerColumn}`)} = ${owner} AND ${sql.ref('f.key')} = ${clause.key}`;
  if (clause.comparator === 'IS NULL') return sql`NOT EXISTS (SELECT 1 FROM ${child} AS f WHERE ${match})`;
  if (clause.comparator === 'IS NOT NULL') return sql`EXISTS (SELECT 1 FROM ${child} AS f WHERE ${match})`;
  return sql`EXISTS (SELECT 1 FROM ${child} AS f WHERE ${match} AND ${valueCondition(sql.ref('f.value'))})`;
}

/** Run attribute names of the filter grammar, as columns of `runs`. */
export const runAttributeColumns: Readonly<Record<string, string>> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  artifact_uri: 'artifact_uri',
  lifecycle_stage: 'lifecycle_stage',
  start_time: 'start_time',
  end_time: 'end_time',
};

const numericRunAttributes = new Set(['start_time', 'end_time']);

function datasetCondition(
  dialect: SqlDialectName,
  runId: RawBuilder<unknown>,
  clause: Comparison,
): Condition {
  const linked = sql`${sql.ref('i.source_type')} = ${inputKinds.dataset.source} AND ${sql.ref('i.destination_type')} = ${inputKinds.dataset.destination} AND ${sql.ref('i.destination_id')} = ${runId}`;
  if (clause.key === 'context') {
    return sql`EXISTS (SELECT 1 FROM ${sql.table('inputs')} AS i INNER JOIN ${sql.table('input_tags')} AS t ON ${sql.ref('t.input_uuid')} = ${sql.ref('i.input_uuid')} WHERE ${linked} AND ${sql.ref('t.name')} = ${systemTags.datasetContext} AND ${stringCondition(dialect, sql.ref('t.value'), clause)})`;
  }
  const column = sql.ref(clause.key === 'name' ? 'd.name' : 'd.digest');
  return sql`EXISTS (SELECT 1 FROM ${sql.table('inputs')} AS i INNER JOIN ${sql.table('datasets')} AS d ON ${sql.ref('d.dataset_uuid')} = ${sql.ref('i.source_id')} WHERE ${linked} AND ${stringCondition(dialect, column, clause)})`;
}

/**
 * A clause over one of a run's keyed tables as a set of run ids: `runs.run_uuid IN (SELECT run_uuid FROM t
 * WHERE key = ? AND <value test>)` (`NOT IN` for IS NULL). The subquery is uncorrelated, so SQLite evaluates
 * it once — through `latest_metrics (key, value)` where Cairn made the database, else the key's primary-key
 * range — and then either drives the search from its few run ids (an equality filter: 480 ms -> 0.1 ms over
 * 20,000 runs; 330 -> 40 ms without Cairn's index) or tests each run against the set it built, where the
 * correlated `EXISTS` probed the table once per run (and, without statistics, could pick the value index
 * inside that probe and scan half a metric per run: the 13-16 s cliff of issue 20). Only SQLite's planner
 * needs the rewrite; PostgreSQL and MySQL turn `EXISTS` into the same semi-join themselves.
 */
function runKeyedSet(
  table: 'params' | 'tags' | 'latest_metrics',
  clause: Comparison,
  valueCondition: (value: RawBuilder<unknown>) => Condition,
): Condition {
  const runId = sql.ref('runs.run_uuid');
  const child = sql`SELECT ${sql.ref('f.run_uuid')} FROM ${sql.table(table)} AS f WHERE ${sql.ref('f.key')} = ${clause.key}`;
  if (clause.comparator === 'IS NULL') return sql`${runId} NOT IN (${child})`;
  if (clause.comparator === 'IS NOT NULL') return sql`${runId} IN (${child})`;
  return sql`${runId} IN (${child} AND ${valueCondition(sql.ref('f.value'))})`;
}

/** A clause over a run's keyed table: a set of run ids on SQLite (see {@link runKeyedSet}), else `EXISTS`. */
function runKeyedCondition(
  dialect: SqlDialectName,
  table: 'params' | 'tags' | 'latest_metrics',
  clause: Comparison,
  valueCondition: (value: RawBuilder<unknown>) => Condition,
): Condition {
  if (dialect === 'sqlite') return runKeyedSet(table, clause, valueCondition);
  return keyedCondition(table, sql.ref('runs.run_uuid'), 'run_uuid', clause, valueCondition);
}

function runClause(dialect: SqlDialectName, clause: Comparison): Condition {
  const runId = sql.ref('runs.run_uuid');
  switch (clause.entity) {
    case 'metric':
      return runKeyedCondition(dialect, 'latest_metrics', clause, (value) => {
        const nan = sql`${sql.ref('f.is_nan')} = ${booleanParameter(dialect, true)}`;
        // NaN is unequal to everything and compares false otherwise, as IEEE (and core's evaluator) say.
        if (clause.comparator === '!=') return sql`(${nan} OR ${numericCondition(value, clause)})`;
        return sql`NOT (${nan}) AND ${numericCondition(value, clause)}`;
      });
    case 'param':
      return runKeyedCondition(dialect, 'params', clause, (value) => stringCondition(dialect, value, clause));
    case 'tag':
      return runKeyedCondition(dialect, 'tags', clause, (value) => stringCondition(dialect, value, clause));
    case 'dataset':
      return datasetCondition(dialect, runId, clause);
    case 'attribute': {
      const column = sql.ref(`runs.${runAttributeColumns[clause.key] ?? clause.key}`);
      if (numericRunAttributes.has(clause.key)) return numericCondition(column, clause);
      return stringCondition(dialect, column, clause);
    }
  }
}

/**
 * The WHERE conditions of a run filter, one per clause (all joined by AND), without the clauses in
 * `applied` (those a sort term's join already applies).
 */
export function runFilterConditions(
  dialect: SqlDialectName,
  filter: SearchFilter,
  applied: ReadonlySet<Comparison> = new Set(),
): Condition[] {
  return filter.clauses.filter((clause) => !applied.has(clause)).map((clause) => runClause(dialect, clause));
}

const numericExperimentAttributes = new Set(['creation_time', 'last_update_time']);

/** The WHERE conditions of an experiment filter. */
export function experimentFilterConditions(dialect: SqlDialectName, filter: SearchFilter): Condition[] {
  const experimentId = sql.ref('experiments.experiment_id');
  return filter.clauses.map((clause) => {
    if (clause.entity === 'tag') {
      return keyedCondition('experiment_tags', experimentId, 'experiment_id', clause, (value) =>
        stringCondition(dialect, value, clause),
      );
    }
    const column = sql.ref(`experiments.${clause.key}`);
    if (numericExperimentAttributes.has(clause.key)) return numericCondition(column, clause);
    return stringCondition(dialect, column, clause);
  });
}
