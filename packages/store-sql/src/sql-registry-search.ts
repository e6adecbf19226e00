import {
  type Comparison,
  decodePageToken,
  defaultModelVersionOrder,
  deletedModelVersionStage,
  effectiveModelVersionOrder,
  effectiveRegisteredModelOrder,
  isPromptClause,
  isPromptQuery,
  modelVersionsMaxResults,
  type OrderByClause,
  type PageTokenQuery,
  parseOrderBy,
  parseSearchFilter,
  promptTagKey,
  registeredModelsMaxResults,
  resolveMaxResults,
  type SearchFilter,
  type SearchRegistryInput,
} from '@cairn/core';
import { type RawBuilder, sql } from 'kysely';
import type { SqlDatabase } from './open-sql-database.js';
import { numericCondition, stringCondition } from './sql-filter.js';
import { binaryText, missingRank, positionFromPayload, type SortTerm } from './sql-order.js';
import { fetchPage } from './sql-search.js';

/** The only workspace Cairn reads and writes: MLflow's default when workspaces are off. */
export const registryWorkspace = 'default';

/** Search attributes as columns of `registered_models` / `model_versions`. */
const columns: Readonly<Record<string, string>> = {
  name: 'name',
  version_number: 'version',
  run_id: 'run_id',
  source_path: 'source',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

const numericKeys = new Set(['version_number', 'creation_timestamp', 'last_updated_timestamp']);

function sortTerms(
  database: SqlDatabase,
  table: 'registered_models' | 'model_versions',
  order: readonly OrderByClause[],
): SortTerm[] {
  return order.map((clause) => {
    const column = sql.ref(`${table}.${columns[clause.key] ?? clause.key}`);
    const numeric = numericKeys.has(clause.key);
    // name and version are the primary key, never NULL.
    const key = clause.key === 'name' || clause.key === 'version_number';
    return {
      rank: key ? sql`0` : missingRank(column),
      value: numeric ? column : binaryText(database.dialect, column),
      ascending: clause.ascending,
      numeric,
      ...(key ? { constantRank: true } : {}),
    };
  });
}

/** A tag clause as EXISTS / NOT EXISTS over the tag table, matched to the owning row by `match`. */
function tagCondition(
  database: SqlDatabase,
  table: 'registered_model_tags' | 'model_version_tags',
  match: RawBuilder<unknown>,
  clause: Comparison,
): RawBuilder<unknown> {
  const where = sql`${match} AND ${sql.ref('f.key')} = ${clause.key}`;
  const from = sql`${sql.table(table)} AS f`;
  if (clause.comparator === 'IS NULL') return sql`NOT EXISTS (SELECT 1 FROM ${from} WHERE ${where})`;
  if (clause.comparator === 'IS NOT NULL') return sql`EXISTS (SELECT 1 FROM ${from} WHERE ${where})`;
  const value = stringCondition(database.dialect, sql.ref('f.value'), clause);
  return sql`EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND ${value})`;
}

function attributeCondition(
  database: SqlDatabase,
  table: 'registered_models' | 'model_versions',
  clause: Comparison,
): RawBuilder<unknown> {
  const column = sql.ref(`${table}.${columns[clause.key] ?? clause.key}`);
  return numericKeys.has(clause.key)
    ? numericCondition(column, clause)
    : stringCondition(database.dialect, column, clause);
}

/**
 * The WHERE conditions of a registry filter. Unless the filter asks for prompts, prompts are left out and
 * clauses on the prompt tag ignored, as MLflow does (its client adds one to every search).
 */
function filterConditions(
  database: SqlDatabase,
  table: 'registered_models' | 'model_versions',
  tags: 'registered_model_tags' | 'model_version_tags',
  owner: RawBuilder<unknown>,
  filter: SearchFilter,
): RawBuilder<unknown>[] {
  const prompts = isPromptQuery(filter);
  const conditions = filter.clauses
    .filter((clause) => prompts || !isPromptClause(clause))
    .map((clause) =>
      clause.entity === 'tag'
        ? tagCondition(database, tags, owner, clause)
        : attributeCondition(database, table, clause),
    );
  if (!prompts) {
    const notPrompt: Comparison = {
      entity: 'tag',
      key: promptTagKey,
      comparator: '=',
      value: 'true',
      position: 0,
    };
    conditions.push(sql`NOT ${tagCondition(database, tags, owner, notPrompt)}`);
  }
  return conditions;
}

/**
 * Searches registered models with the filter, order and keyset paging in SQL (every value a bound
 * parameter) and returns the page's names, in order.
 */
export async function searchRegisteredModelNames(
  database: SqlDatabase,
  input: SearchRegistryInput,
): Promise<{ names: string[]; nextPageToken?: string }> {
  // Every argument is checked before any data is read, so bad input fails alike on an empty store.
  const maxResults = resolveMaxResults(input.maxResults, registeredModelsMaxResults);
  const filter = parseSearchFilter(input.filter, 'registered_models');
  const order = effectiveRegisteredModelOrder(parseOrderBy(input.orderBy, 'registered_models'));
  const terms = sortTerms(database, 'registered_models', order);
  const query: PageTokenQuery = { filter: input.filter, orderBy: input.orderBy, scope: 'registered_models' };
  if (input.pageToken) positionFromPayload(decodePageToken(input.pageToken, query), terms);
  const owner = sql`${sql.ref('f.name')} = ${sql.ref('registered_models.name')} AND ${sql.ref('f.workspace')} = ${sql.ref('registered_models.workspace')}`;
  const conditions = [
    sql`${sql.ref('registered_models.workspace')} = ${registryWorkspace}`,
    ...filterConditions(database, 'registered_models', 'registered_model_tags', owner, filter),
  ];
  const page = await fetchPage(database, {
    table: 'registered_models',
    select: sql`${sql.ref('registered_models.name')} AS ${sql.raw('model_name')}`,
    terms,
    conditions,
    query,
    pageToken: input.pageToken,
    maxResults,
  });
  const names = page.rows.map((row) => String(row.model_name));
  return page.nextPageToken === undefined ? { names } : { names, nextPageToken: page.nextPageToken };
}

/**
 * Searches live model versions (never `Deleted_Internal` ones) the same way, by default newest update
 * first; returns the page's (name, version) keys, in order.
 */
export async function searchModelVersionKeys(
  database: SqlDatabase,
  input: SearchRegistryInput,
): Promise<{ keys: { name: string; version: number }[]; nextPageToken?: string }> {
  const maxResults = resolveMaxResults(input.maxResults, modelVersionsMaxResults);
  const filter = parseSearchFilter(input.filter, 'model_versions');
  const orderBy =
    input.orderBy === undefined || input.orderBy.length === 0 ? defaultModelVersionOrder : input.orderBy;
  const order = effectiveModelVersionOrder(parseOrderBy(orderBy, 'model_versions'));
  const terms = sortTerms(database, 'model_versions', order);
  const query: PageTokenQuery = { filter: input.filter, orderBy: input.orderBy, scope: 'model_versions' };
  if (input.pageToken) positionFromPayload(decodePageToken(input.pageToken, query), terms);
  const owner = sql`${sql.ref('f.name')} = ${sql.ref('model_versions.name')} AND ${sql.ref('f.version')} = ${sql.ref('model_versions.version')} AND ${sql.ref('f.workspace')} = ${sql.ref('model_versions.workspace')}`;
  const stage = sql.ref('model_versions.current_stage');
  const conditions = [
    sql`${sql.ref('model_versions.workspace')} = ${registryWorkspace}`,
    sql`(${stage} IS NULL OR ${stage} <> ${deletedModelVersionStage})`,
    ...filterConditions(database, 'model_versions', 'model_version_tags', owner, filter),
  ];
  const page = await fetchPage(database, {
    table: 'model_versions',
    select: sql`${sql.ref('model_versions.name')} AS ${sql.raw('model_name')}, ${sql.ref('model_versions.version')} AS ${sql.raw('model_version')}`,
    terms,
    conditions,
    query,
    pageToken: input.pageToken,
    maxResults,
  });
  const keys = page.rows.map((row) => ({ name: String(row.model_name), version: Number(row.model_version) }));
  return page.nextPageToken === undefined ? { keys } : { keys, nextPageToken: page.nextPageToken };
}
