import type { Page } from '../contracts/page.js';
import type { SearchRegistryInput } from '../contracts/registry-store.js';
import type { ModelVersion, RegisteredModel } from '../entities/registry.js';
import { invalidParameter } from '../errors.js';
import { limits } from '../limits.js';
import type { Comparison, OrderByClause, SearchFilter } from '../search/search-ast.js';
import { matchesValue } from '../search/search-evaluator.js';
import { type SearchPlan, searchInMemory } from '../search/search-in-memory.js';
import type { SortValue } from '../search/search-sort-key.js';

/** MLflow's page sizes: registered models default to 100 (at most 1000), versions to 10000 (at most 200000). */
export const registeredModelsMaxResults = { defaultValue: 100, max: limits.searchRegisteredModelsMaxResults };
export const modelVersionsMaxResults = { defaultValue: 10000, max: limits.searchModelVersionsMaxResults };

/** The order_by MLflow applies to a version search that names none. */
export const defaultModelVersionOrder = ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];

function rejectDuplicates(order: readonly OrderByClause[]): void {
  const seen = new Set<string>();
  for (const clause of order) {
    if (seen.has(clause.key)) {
      throw invalidParameter(`\`order_by\` contains duplicate fields: ${clause.key}`, { field: 'order_by' });
    }
    seen.add(clause.key);
  }
}

/**
 * The clauses registered models are really sorted by: the caller's (attributes only, no duplicates), then
 * `name ASC` as the tie-breaker unless named. Names are unique, so the order is total.
 */
export function effectiveRegisteredModelOrder(order: readonly OrderByClause[]): OrderByClause[] {
  rejectDuplicates(order);
  const clauses = [...order];
  if (!clauses.some((clause) => clause.key === 'name')) {
    clauses.push({ entity: 'attribute', key: 'name', ascending: true });
  }
  return clauses;
}

/** The same for model versions: then `name ASC`, `version_number DESC` unless named. */
export function effectiveModelVersionOrder(order: readonly OrderByClause[]): OrderByClause[] {
  rejectDuplicates(order);
  const clauses = [...order];
  if (!clauses.some((clause) => clause.key === 'name')) {
    clauses.push({ entity: 'attribute', key: 'name', ascending: true });
  }
  if (!clauses.some((clause) => clause.key === 'version_number')) {
    clauses.push({ entity: 'attribute', key: 'version_number', ascending: false });
  }
  return clauses;
}

function registeredModelAttribute(model: RegisteredModel, key: string): SortValue {
  switch (key) {
    case 'name':
      return model.name;
    case 'creation_timestamp':
      return model.creation_timestamp;
    case 'last_updated_timestamp':
      return model.last_updated_timestamp;
    default:
      return undefined;
  }
}

function modelVersionAttribute(version: ModelVersion, key: string): SortValue {
  switch (key) {
    case 'name':
      return version.name;
    case 'version_number':
      return Number(version.version);
    case 'run_id':
      return version.run_id;
    case 'source_path':
      return version.source;
    case 'creation_timestamp':
      return version.creation_timestamp;
    case 'last_updated_timestamp':
      return version.last_updated_timestamp;
    default:
      return undefined;
  }
}

function tagValue(tags: readonly { key: string; value: string }[], key: string): string | undefined {
  return tags.find((tag) => tag.key === key)?.value;
}

/** The tag that marks a registered model or version as a prompt (MLflow's prompt registry). */
export const promptTagKey = 'mlflow.prompt.is_prompt';

/** True for a clause on the prompt tag, which MLflow's registry search treats apart. */
export function isPromptClause(clause: Comparison): boolean {
  return clause.entity === 'tag' && clause.key === promptTagKey;
}

/**
 * True when a filter asks for prompts (`tags.mlflow.prompt.is_prompt = 'true'` or `!= 'false'`). Otherwise
 * a registry search leaves prompts out and ignores clauses on the prompt tag, as MLflow does: its client
 * adds `tags.mlflow.prompt.is_prompt != 'true'` to every search, which models without the tag must pass.
 */
export function isPromptQuery(filter: SearchFilter): boolean {
  const clause = filter.clauses.find(isPromptClause);
  if (clause === undefined || typeof clause.value !== 'string') return false;
  const value = clause.value.toLowerCase();
  return (clause.comparator === '=' && value === 'true') || (clause.comparator === '!=' && value === 'false');
}

function matches(
  filter: SearchFilter,
  attribute: (key: string) => SortValue,
  tags: readonly { key: string; value: string }[],
): boolean {
  const prompts = isPromptQuery(filter);
  if (!prompts && tagValue(tags, promptTagKey) === 'true') return false;
  return filter.clauses.every(
    (clause: Comparison) =>
      (!prompts && isPromptClause(clause)) ||
      matchesValue(clause.entity === 'tag' ? tagValue(tags, clause.key) : attribute(clause.key), clause),
  );
}

const registeredModelPlan: SearchPlan<RegisteredModel> = {
  target: 'registered_models',
  maxResults: registeredModelsMaxResults,
  matches: (model, filter) => matches(filter, (key) => registeredModelAttribute(model, key), model.tags),
  order: effectiveRegisteredModelOrder,
  sortKey: (model, order) => order.map((clause) => registeredModelAttribute(model, clause.key)),
};

const modelVersionPlan: SearchPlan<ModelVersion> = {
  target: 'model_versions',
  maxResults: modelVersionsMaxResults,
  matches: (version, filter) => matches(filter, (key) => modelVersionAttribute(version, key), version.tags),
  order: effectiveModelVersionOrder,
  sortKey: (version, order) => order.map((clause) => modelVersionAttribute(version, clause.key)),
};

/**
 * Filters (`name LIKE 'a%'`, `tags.k = 'v'`), orders and pages registered models in memory, for stores
 * that cannot push a search down. Pages are keyset-based.
 */
export function searchRegisteredModelsInMemory(
  models: Iterable<RegisteredModel>,
  input: SearchRegistryInput,
): Page<RegisteredModel> {
  return searchInMemory(registeredModelPlan, models, input);
}

/**
 * The same for model versions (`name = 'm'`, `run_id IN (...)`, `source_path LIKE`, `version_number > 2`,
 * `tags.k = 'v'`); the caller has already left out deleted versions. MLflow's default order applies when
 * none is given.
 */
export function searchModelVersionsInMemory(
  versions: Iterable<ModelVersion>,
  input: SearchRegistryInput,
): Page<ModelVersion> {
  const orderBy =
    input.orderBy === undefined || input.orderBy.length === 0 ? defaultModelVersionOrder : input.orderBy;
  return searchInMemory(modelVersionPlan, versions, { ...input, orderBy });
}
