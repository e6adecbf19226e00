import {
  type Comparison,
  invalidParameter,
  type JsonValue,
  type OrderByClause,
  type SearchFilter,
} from '@cairn/core';
import { type RawBuilder, sql } from 'kysely';
import type { SqlDialectName } from './sql-dialect-name.js';
import { numericCondition, runAttributeColumns } from './sql-filter.js';
import { type MetricWalk, walkDriver } from './sql-metric-walk.js';
import { booleanParameter } from './sql-values.js';

/**
 * One ordering clause as SQL: a rank (0 a value, 1 NaN, 2 missing; always ascending, so NaN and missing
 * sort last in either direction, as MLflow does) and the value itself, sorted in the clause's direction.
 */
export interface SortTerm {
  rank: RawBuilder<unknown>;
  value: RawBuilder<unknown>;
  ascending: boolean;
  numeric: boolean;
  /**
   * True when the rank is 0 on every row (a primary key, or a metric the filter requires present and not
   * NaN): the rank then stays out of ORDER BY and of the keyset condition, so the value alone orders.
   */
  constantRank?: boolean;
  /** The join this term needs (LEFT, or INNER when it carries filter clauses); absent when shared. */
  join?: RawBuilder<unknown>;
  /**
   * A FROM clause that replaces the table: a bounded walk of the term's metric in the order of its value
   * index, joined to `runs` (see `MetricWalk`). Only the first term drives, and then it has no `join`.
   */
  drives?: RawBuilder<unknown>;
}

/** A position in a sorted result: [rank, value] per term, as carried in a page token. */
export type SortPosition = [number, number | string | null][];

/** 2 for a NULL value, else 0: missing values sort last in either direction. */
export const missingRank = (value: RawBuilder<unknown>) => sql`CASE WHEN ${value} IS NULL THEN 2 ELSE 0 END`;

/** PostgreSQL sorts text by the database locale; "C" gives the plain code-point order every store uses. */
export const binaryText = (dialect: SqlDialectName, value: RawBuilder<unknown>) =>
  dialect === 'postgres' ? sql`${value} COLLATE "C"` : value;

/** The tiebreak MLflow appends to every run search. */
const runTiebreak: OrderByClause[] = [
  { entity: 'attribute', key: 'start_time', ascending: false },
  { entity: 'attribute', key: 'run_id', ascending: true },
];

/** Comparators that hold only for a present, non-NaN metric (NaN compares false, a missing one is absent). */
const presenceComparators = new Set(['=', '<', '<=', '>', '>=']);

/**
 * The filter's metric clauses that a sort term on the same metric can take over: each one implies the
 * metric is present and not NaN, so the term's join becomes an INNER JOIN carrying them, its rank is 0 for
 * every row and no correlated EXISTS is needed. Keyed by metric key; the clauses are matched by identity.
 */
export function foldableMetricClauses(
  filter: SearchFilter,
  orderBy: readonly OrderByClause[],
): Map<string, Comparison[]> {
  const sorted = new Set(orderBy.filter((clause) => clause.entity === 'metric').map((clause) => clause.key));
  const folded = new Map<string, Comparison[]>();
  for (const clause of filter.clauses) {
    if (clause.entity !== 'metric' || !sorted.has(clause.key)) continue;
    if (!presenceComparators.has(clause.comparator)) continue;
    folded.set(clause.key, [...(folded.get(clause.key) ?? []), clause]);
  }
  return folded;
}

/** What the database offers a run search beyond MLflow's schema (see `cairnIndexes`). */
export interface RunSearchPlan {
  /** The database has Cairn's `latest_metrics (key, value)` index. */
  metricValueIndex: boolean;
}

/**
 * Without Cairn's `latest_metrics (key, value)` index, SQLite would drive an inner join from latest_metrics'
 * (key, run_uuid) index, visiting runs and metric rows in random uuid order; CROSS JOIN (SQLite's way to fix
 * the join order) keeps runs as the outer loop, read in storage order, which measured ~40% faster on 100,000
 * runs. With the index, a plain join lets SQLite walk the metric's values in order and stop after the page
 * (~3 ms instead of ~120 ms there). Elsewhere the planner chooses.
 */
const innerJoin = (dialect: SqlDialectName, plan: RunSearchPlan) =>
  sql.raw(dialect === 'sqlite' && !plan.metricValueIndex ? 'CROSS JOIN' : 'INNER JOIN');

/**
 * Sort terms of a run search: the user's clauses, then start_time DESC, run_id ASC. `folded` (from
 * `foldableMetricClauses`) turns a metric term's LEFT JOIN into an INNER JOIN that also applies those
 * filter clauses; the caller leaves them out of the WHERE conditions. A metric sorted twice joins once.
 * `plan` says which of Cairn's indexes the database has, for the join order. With `walkFirstMetric` (see
 * `MetricWalk`) the first term, a metric, drives the query through a bounded walk of its value index and
 * keeps only runs where it is present and not NaN.
 */
export function runSortTerms(
  dialect: SqlDialectName,
  orderBy: readonly OrderByClause[],
  folded: ReadonlyMap<string, readonly Comparison[]> = new Map(),
  plan: RunSearchPlan = { metricValueIndex: false },
  options: { walkFirstMetric?: MetricWalk } = {},
): SortTerm[] {
  const joined = new Map<string, string>();
  return [...orderBy, ...runTiebreak].map((clause, index) => {
    if (clause.entity === 'attribute' || clause.entity === 'dataset') {
      const name = runAttributeColumns[clause.key] ?? 'run_uuid';
      const column = sql.ref(`runs.${name}`);
      const numeric = clause.key === 'start_time' || clause.key === 'end_time';
      return {
        // run_uuid is the primary key, never NULL: a constant rank spares a CASE per row.
        rank: name === 'run_uuid' ? sql`0` : missingRank(column),
        value: numeric ? column : binaryText(dialect, column),
        ascending: clause.ascending,
        numeric,
        ...(name === 'run_uuid' ? { constantRank: true } : {}),
      };
    }
    const table =
      clause.entity === 'metric' ? 'latest_metrics' : clause.entity === 'param' ? 'params' : 'tags';
    const joinKey = `${table}\u0000${clause.key}`;
    const existing = joined.get(joinKey);
    const alias = existing ?? `o${index}`;
    const on = sql`${sql.ref(`${alias}.run_uuid`)} = ${sql.ref('runs.run_uuid')} AND ${sql.ref(`${alias}.key`)} = ${clause.key}`;
    const value = sql.ref(`${alias}.value`);
    const walk = index === 0 && clause.entity === 'metric' ? options.walkFirstMetric : undefined;
    const walked = walk !== undefined;
    const foldedClauses = clause.entity === 'metric' ? folded.get(clause.key) : undefined;
    // Present and not NaN: what folded filter clauses imply, and what a walk over the index covers.
    const present = walked || (foldedClauses !== undefined && foldedClauses.length > 0);
    let join: RawBuilder<unknown> | undefined;
    let drives: RawBuilder<unknown> | undefined;
    if (existing === undefined) {
      joined.set(joinKey, alias);
      const presentOn = sql`${on} AND ${sql.ref(`${alias}.is_nan`)} = ${booleanParameter(dialect, false)}${sql.join(
        (foldedClauses ?? []).map((filterClause) => sql` AND ${numericCondition(value, filterClause)}`),
        sql``,
      )}`;
      if (walk !== undefined) {
        drives = walkDriver(dialect, alias, clause, foldedClauses ?? [], walk);
      } else if (present) {
        join = sql`${innerJoin(dialect, plan)} ${sql.table(table)} AS ${sql.raw(alias)} ON ${presentOn}`;
      } else {
        join = sql`LEFT JOIN ${sql.table(table)} AS ${sql.raw(alias)} ON ${on}`;
      }
    }
    const base = { ...(join === undefined ? {} : { join }), ...(drives === undefined ? {} : { drives }) };
    if (clause.entity !== 'metric') {
      return {
        rank: missingRank(value),
        value: binaryText(dialect, value),
        ascending: clause.ascending,
        numeric: false,
        ...base,
      };
    }
    if (present) {
      return { rank: sql`0`, constantRank: true, value, ascending: clause.ascending, numeric: true, ...base };
    }
    const rank = sql`CASE WHEN ${value} IS NULL THEN 2 WHEN ${sql.ref(`${alias}.is_nan`)} = ${booleanParameter(dialect, true)} THEN 1 ELSE 0 END`;
    return { rank, value, ascending: clause.ascending, numeric: true, ...base };
  });
}

/** Sort terms of an experiment search: default creation_time DESC, then experiment_id ASC unless named. */
export function experimentSortTerms(dialect: SqlDialectName, orderBy: readonly OrderByClause[]): SortTerm[] {
  let clauses: OrderByClause[] = [...orderBy];
  if (clauses.length === 0) clauses = [{ entity: 'attribute', key: 'creation_time', ascending: false }];
  if (!clauses.some((clause) => clause.key === 'experiment_id')) {
    clauses.push({ entity: 'attribute', key: 'experiment_id', ascending: true });
  }
  return clauses.map((clause) => {
    const column = sql.ref(`experiments.${clause.key}`);
    const numeric = clause.key !== 'name';
    return {
      rank: missingRank(column),
      value: numeric ? column : binaryText(dialect, column),
      ascending: clause.ascending,
      numeric,
    };
  });
}

/** The sort position of a result row, read from its `r<i>` / `v<i>` columns. */
export function rowPosition(row: Record<string, unknown>, terms: readonly SortTerm[]): SortPosition {
  return terms.map((term, index) => {
    const rank = Number(row[`r${index}`]);
    const raw = row[`v${index}`];
    if (rank === 2 || raw === null || raw === undefined) return [2, null];
    return [rank, term.numeric ? Number(raw) : String(raw)];
  });
}

/** Reads a position back from a page token's payload, refusing one that does not fit the terms. */
export function positionFromPayload(payload: JsonValue, terms: readonly SortTerm[]): SortPosition {
  const after =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload.after : undefined;
  const fits =
    Array.isArray(after) &&
    after.length === terms.length &&
    after.every((entry, index) => {
      if (!Array.isArray(entry) || entry.length !== 2) return false;
      const [rank, value] = entry;
      if (rank !== 0 && rank !== 1 && rank !== 2) return false;
      if (rank !== 0) return true;
      return (terms[index] as SortTerm).numeric ? typeof value === 'number' : typeof value === 'string';
    });
  if (!fits) {
    throw invalidParameter('Invalid page token: its position does not fit this search', {
      field: 'page_token',
    });
  }
  return after as SortPosition;
}

/** `ORDER BY` over the page's `r<i>` / `v<i>` columns. */
export function orderByColumns(terms: readonly SortTerm[]): RawBuilder<unknown> {
  return sql.join(
    terms.flatMap((term, index) => [
      ...(term.constantRank === true ? [] : [sql`${sql.ref(`page.r${index}`)} ASC`]),
      sql`${sql.ref(`page.v${index}`)} ${sql.raw(term.ascending ? 'ASC' : 'DESC')}`,
    ]),
  );
}

/**
 * The keyset condition "strictly after `position`" over the page's `r<i>` / `v<i>` columns: the rows whose
 * sort key is greater in lexicographic order, each term compared in its own direction.
 */
export function afterPosition(terms: readonly SortTerm[], position: SortPosition): RawBuilder<unknown> {
  const equal = (index: number) => {
    const [rank, value] = position[index] as SortPosition[number];
    const r = sql.ref(`page.r${index}`);
    if (rank !== 0) return sql`${r} = ${rank}`;
    if ((terms[index] as SortTerm).constantRank === true) return sql`${sql.ref(`page.v${index}`)} = ${value}`;
    return sql`(${r} = 0 AND ${sql.ref(`page.v${index}`)} = ${value})`;
  };
  const after = (index: number) => {
    const [rank, value] = position[index] as SortPosition[number];
    const r = sql.ref(`page.r${index}`);
    if (rank !== 0) return sql`${r} > ${rank}`;
    const operator = sql.raw((terms[index] as SortTerm).ascending ? '>' : '<');
    if ((terms[index] as SortTerm).constantRank === true) {
      return sql`${sql.ref(`page.v${index}`)} ${operator} ${value}`;
    }
    return sql`(${r} > 0 OR (${r} = 0 AND ${sql.ref(`page.v${index}`)} ${operator} ${value}))`;
  };
  const alternatives = terms.map((_, index) => {
    const parts = [...Array.from({ length: index }, (_unused, earlier) => equal(earlier)), after(index)];
    return sql`(${sql.join(parts, sql` AND `)})`;
  });
  return sql`(${sql.join(alternatives, sql` OR `)})`;
}
