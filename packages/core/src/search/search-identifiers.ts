import type { Comparator, SearchEntity, SearchTarget } from './search-ast.js';

/**
 * The per-target identifier tables: which prefixes name which entity, which attribute keys exist
 * (with MLflow's aliases), and which comparators and value types each kind of key accepts.
 */

/** The value a clause compares against, by key kind. */
export type ValueKind = 'number' | 'string';

/** What a resolved identifier accepts in a filter clause. */
export interface ClauseRule {
  comparators: ReadonlySet<Comparator>;
  valueKind: ValueKind;
  /** Whether IN / NOT IN lists are accepted (they hold strings only). */
  allowsList: boolean;
}

/** The outcome of looking up an identifier: the entity and canonical key, or why it is invalid. */
export type IdentifierResolution =
  | { ok: true; entity: SearchEntity; key: string }
  | { ok: false; reason: string };

const numericComparators: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const stringComparators: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const listComparators: readonly Comparator[] = ['IN', 'NOT IN'];
const nullComparators: readonly Comparator[] = ['IS NULL', 'IS NOT NULL'];

const prefixEntities: Readonly<Record<string, SearchEntity>> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** Entities each target can filter on. Experiments have attributes and tags only, as in MLflow. */
const targetEntities: Readonly<Record<SearchTarget, readonly SearchEntity[]>> = {
  runs: ['metric', 'param', 'tag', 'attribute', 'dataset'],
  experiments: ['attribute', 'tag'],
  logged_models: ['metric', 'param', 'tag', 'attribute'],
  registered_models: ['attribute', 'tag'],
  model_versions: ['attribute', 'tag'],
};

/** Run attributes a filter may name, by value kind. `lifecycle_stage` is a Cairn addition. */
const runAttributes: Readonly<Record<string, ValueKind>> = {
  run_id: 'string',
  run_name: 'string',
  user_id: 'string',
  status: 'string',
  artifact_uri: 'string',
  lifecycle_stage: 'string',
  start_time: 'number',
  end_time: 'number',
};

const experimentFilterAttributes: Readonly<Record<string, ValueKind>> = {
  name: 'string',
  creation_time: 'number',
  last_update_time: 'number',
};

/** Experiments may be ordered by one more attribute than they may be filtered on. */
const experimentOrderAttributes: Readonly<Record<string, ValueKind>> = {
  ...experimentFilterAttributes,
  experiment_id: 'string',
};

/** Logged-model attributes (MLflow's `search_logged_models`), filterable and orderable alike. */
const loggedModelAttributes: Readonly<Record<string, ValueKind>> = {
  name: 'string',
  model_id: 'string',
  model_type: 'string',
  status: 'string',
  source_run_id: 'string',
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
};

/** Registered-model attributes a filter may name (MLflow's SearchModelUtils). */
const registeredModelFilterAttributes: Readonly<Record<string, ValueKind>> = { name: 'string' };

/** Registered models are ordered by name or a timestamp; `timestamp` is MLflow's alias of the last update. */
const registeredModelOrderAttributes: Readonly<Record<string, ValueKind>> = {
  name: 'string',
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
};

/** Model-version attributes a filter may name (MLflow's SearchModelVersionUtils). */
const modelVersionFilterAttributes: Readonly<Record<string, ValueKind>> = {
  name: 'string',
  version_number: 'number',
  run_id: 'string',
  source_path: 'string',
};

const modelVersionOrderAttributes: Readonly<Record<string, ValueKind>> = {
  name: 'string',
  version_number: 'number',
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
};

const registeredModelAttributeAliases: Readonly<Record<string, string>> = {
  timestamp: 'last_updated_timestamp',
};

/** MLflow's logged-model aliases (`creation_time`), plus `last_updated_time` for symmetry. */
const loggedModelAttributeAliases: Readonly<Record<string, string>> = {
  creation_time: 'creation_timestamp',
  last_updated_time: 'last_updated_timestamp',
  creation_timestamp_ms: 'creation_timestamp',
  last_updated_timestamp_ms: 'last_updated_timestamp',
};

/** MLflow's attribute aliases (for runs only); matched exactly, as MLflow does. */
const runAttributeAliases: Readonly<Record<string, string>> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};

/** Dataset keys; `context` reads the input tag `mlflow.data.context`. */
const datasetKeys: ReadonlySet<string> = new Set(['name', 'digest', 'context']);

/** Whether the identifier is being resolved for a filter clause or an order_by clause. */
export type IdentifierUse = 'filter' | 'order_by';

function attributeTable(target: SearchTarget, use: IdentifierUse): Readonly<Record<string, ValueKind>> {
  if (target === 'runs') return runAttributes;
  if (target === 'logged_models') return loggedModelAttributes;
  if (target === 'registered_models') {
    return use === 'filter' ? registeredModelFilterAttributes : registeredModelOrderAttributes;
  }
  if (target === 'model_versions') {
    return use === 'filter' ? modelVersionFilterAttributes : modelVersionOrderAttributes;
  }
  return use === 'filter' ? experimentFilterAttributes : experimentOrderAttributes;
}

/** The attribute keys a target accepts, for error messages. */
export function attributeKeys(target: SearchTarget, use: IdentifierUse): string[] {
  return Object.keys(attributeTable(target, use));
}

/** The value kind of an attribute of a target, or undefined when it does not exist. */
export function attributeKind(target: SearchTarget, key: string): ValueKind | undefined {
  const table =
    target === 'runs'
      ? runAttributes
      : target === 'logged_models'
        ? loggedModelAttributes
        : target === 'registered_models'
          ? registeredModelOrderAttributes
          : target === 'model_versions'
            ? { ...modelVersionFilterAttributes, ...modelVersionOrderAttributes }
            : experimentOrderAttributes;
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Resolves `prefix` + `key` (prefix undefined = attribute) to an entity and canonical key for a target,
 * applying MLflow's attribute aliases.
 */
export function resolveIdentifier(
  prefix: string | undefined,
  key: string,
  target: SearchTarget,
  use: IdentifierUse,
): IdentifierResolution {
  let entity: SearchEntity = 'attribute';
  if (prefix !== undefined) {
    const found = Object.hasOwn(prefixEntities, prefix) ? prefixEntities[prefix] : undefined;
    if (found === undefined) {
      return {
        ok: false,
        reason: `unknown entity type '${prefix}'; expected one of ${Object.keys(prefixEntities).join(', ')}`,
      };
    }
    // `run.` reads oddly outside a run filter, so only the attribute spellings are accepted there.
    if (target !== 'runs' && target !== 'logged_models' && prefix === 'run') {
      return { ok: false, reason: `unknown entity type 'run' for ${target}; use 'attribute' or 'tags'` };
    }
    entity = found;
  }
  if (!targetEntities[target].includes(entity)) {
    return { ok: false, reason: `${entity}s cannot be used when searching ${target}` };
  }
  if (entity === 'attribute') {
    const aliases =
      target === 'runs'
        ? runAttributeAliases
        : target === 'logged_models'
          ? loggedModelAttributeAliases
          : target === 'registered_models'
            ? registeredModelAttributeAliases
            : {};
    const canonical = Object.hasOwn(aliases, key) ? (aliases[key] as string) : key;
    const table = attributeTable(target, use);
    if (!Object.hasOwn(table, canonical)) {
      return {
        ok: false,
        reason: `unknown attribute '${key}'; valid attributes are ${attributeKeys(target, use).join(', ')}`,
      };
    }
    return { ok: true, entity, key: canonical };
  }
  if (entity === 'dataset' && !datasetKeys.has(key)) {
    return {
      ok: false,
      reason: `unknown dataset key '${key}'; valid keys are ${[...datasetKeys].join(', ')}`,
    };
  }
  return { ok: true, entity, key };
}

/** What a filter clause on a resolved identifier may use. */
export function clauseRule(target: SearchTarget, entity: SearchEntity, key: string): ClauseRule {
  switch (entity) {
    case 'metric':
      // IS [NOT] NULL on metrics is a Cairn extension; MLflow allows it on params and tags only.
      return {
        comparators: new Set([...numericComparators, ...nullComparators]),
        valueKind: 'number',
        allowsList: false,
      };
    case 'param':
    case 'tag':
      // MLflow's logged-model search also takes IN / NOT IN on params and tags.
      if (target === 'logged_models') {
        return {
          comparators: new Set([...stringComparators, ...listComparators, ...nullComparators]),
          valueKind: 'string',
          allowsList: true,
        };
      }
      return {
        comparators: new Set([...stringComparators, ...nullComparators]),
        valueKind: 'string',
        allowsList: false,
      };
    case 'dataset':
      return {
        comparators: new Set([...stringComparators, ...listComparators]),
        valueKind: 'string',
        allowsList: true,
      };
    case 'attribute': {
      if (attributeKind(target, key) === 'number') {
        return { comparators: new Set(numericComparators), valueKind: 'number', allowsList: false };
      }
      // MLflow accepts lists for run_id alone among run attributes, on every logged-model string attribute,
      // on registered-model names and on model-version names and run ids.
      const allowsList =
        (target === 'runs' && key === 'run_id') ||
        target === 'logged_models' ||
        (target === 'registered_models' && key === 'name') ||
        (target === 'model_versions' && (key === 'name' || key === 'run_id'));
      return {
        comparators: new Set(allowsList ? [...stringComparators, ...listComparators] : stringComparators),
        valueKind: 'string',
        allowsList,
      };
    }
  }
}
