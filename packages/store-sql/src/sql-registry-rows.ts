import {
  deletedModelVersionStage,
  type ModelVersion,
  type ModelVersionStatus,
  parseModelUri,
  type RegisteredModel,
} from '@cairn/core';
import type { Kysely, Selectable } from 'kysely';
import type { MlflowDatabase } from './database-types.js';
import { registryWorkspace } from './sql-registry-search.js';
import type { ModelVersionsTable, RegisteredModelsTable } from './sql-registry-tables.js';
import { toNumber } from './sql-values.js';

/** A model version's identity. */
export interface VersionKey {
  name: string;
  version: number;
}

const keyOf = (name: string, version: number) => `${name}\u0000${version}`;

/**
 * The logged model a version promotes, read back from its source: MLflow's schema has no column for it,
 * and MLflow 3's client registers a logged model with the source `models:/<model_id>`.
 */
function modelIdOf(source: string | null): string | undefined {
  if (source === null || !source.startsWith('models:/')) return undefined;
  try {
    const parsed = parseModelUri(source);
    return parsed.kind === 'logged-model' ? parsed.modelId : undefined;
  } catch {
    return undefined;
  }
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: string };
}

/** A `model_versions` row with its tags and aliases as the `ModelVersion` entity. */
export function modelVersionFromRow(
  row: Selectable<ModelVersionsTable>,
  tags: { key: string; value: string }[],
  aliases: string[],
): ModelVersion {
  const modelId = modelIdOf(row.source);
  return {
    name: row.name,
    version: String(row.version),
    creation_timestamp: row.creation_time === null ? 0 : toNumber(row.creation_time),
    ...(row.last_updated_time === null ? {} : { last_updated_timestamp: toNumber(row.last_updated_time) }),
    current_stage: row.current_stage ?? 'None',
    source: row.source ?? '',
    status: (row.status ?? 'READY') as ModelVersionStatus,
    tags,
    aliases,
    ...optional('description', row.description),
    ...optional('user_id', row.user_id),
    ...optional('run_id', row.run_id),
    ...optional('run_link', row.run_link),
    ...optional('status_message', row.status_message),
    ...(modelId === undefined ? {} : { model_id: modelId }),
  };
}

/** Versions per query: well under every dialect's bound-parameter limit. */
const chunkSize = 500;

/** The keys grouped by model name, each group's version numbers cut into chunks. */
function keyChunks(keys: readonly VersionKey[]): { name: string; versions: number[] }[] {
  const byName = new Map<string, number[]>();
  for (const key of keys) byName.set(key.name, [...(byName.get(key.name) ?? []), key.version]);
  return [...byName].flatMap(([name, versions]) =>
    Array.from({ length: Math.ceil(versions.length / chunkSize) }, (_, index) => ({
      name,
      versions: versions.slice(index * chunkSize, (index + 1) * chunkSize),
    })),
  );
}

/**
 * Loads model versions by key, with their tags and aliases, in the order of `keys` (missing ones left out).
 * Only the wanted rows are read (by primary key), however many versions their models have.
 */
export async function loadModelVersions(
  db: Kysely<MlflowDatabase>,
  keys: readonly VersionKey[],
): Promise<ModelVersion[]> {
  if (keys.length === 0) return [];
  const rows: Selectable<ModelVersionsTable>[] = [];
  const tags = new Map<string, { key: string; value: string }[]>();
  const aliases = new Map<string, string[]>();
  for (const chunk of keyChunks(keys)) {
    const [versionRows, tagRows, aliasRows] = await Promise.all([
      db
        .selectFrom('model_versions')
        .selectAll()
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', chunk.name)
        .where('version', 'in', chunk.versions)
        .execute(),
      db
        .selectFrom('model_version_tags')
        .select(['version', 'key', 'value'])
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', chunk.name)
        .where('version', 'in', chunk.versions)
        .orderBy('key')
        .execute(),
      db
        .selectFrom('registered_model_aliases')
        .select(['version', 'alias'])
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', chunk.name)
        .where('version', 'in', chunk.versions)
        .orderBy('alias')
        .execute(),
    ]);
    rows.push(...versionRows);
    for (const tag of tagRows) {
      const key = keyOf(chunk.name, Number(tag.version));
      tags.set(key, [...(tags.get(key) ?? []), { key: tag.key, value: tag.value ?? '' }]);
    }
    for (const alias of aliasRows) {
      const key = keyOf(chunk.name, Number(alias.version));
      aliases.set(key, [...(aliases.get(key) ?? []), alias.alias]);
    }
  }
  const byKey = new Map(rows.map((row) => [keyOf(row.name, Number(row.version)), row]));
  return keys.flatMap((key) => {
    const id = keyOf(key.name, key.version);
    const row = byKey.get(id);
    return row === undefined ? [] : [modelVersionFromRow(row, tags.get(id) ?? [], aliases.get(id) ?? [])];
  });
}

/**
 * The newest live version of each model in each of `stages` (every stage when undefined), ordered by
 * model then version number.
 */
export async function latestVersionKeys(
  db: Kysely<MlflowDatabase>,
  names: readonly string[],
  stages?: readonly string[],
): Promise<VersionKey[]> {
  if (names.length === 0 || stages?.length === 0) return [];
  let query = db
    .selectFrom('model_versions')
    .select(['name', 'current_stage'])
    .select((eb) => eb.fn.max('version').as('version'))
    .where('workspace', '=', registryWorkspace)
    .where('name', 'in', [...names])
    .where('current_stage', '<>', deletedModelVersionStage)
    .groupBy(['name', 'current_stage']);
  if (stages !== undefined) query = query.where('current_stage', 'in', [...stages]);
  const rows = await query.execute();
  return rows
    .map((row) => ({ name: row.name, version: Number(row.version) }))
    .sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
}

/** Loads registered models by name with tags, aliases and latest versions, in the order of `names`. */
export async function loadRegisteredModels(
  db: Kysely<MlflowDatabase>,
  names: readonly string[],
): Promise<RegisteredModel[]> {
  if (names.length === 0) return [];
  const list = [...new Set(names)];
  const [rows, tagRows, aliasRows, latestKeys] = await Promise.all([
    db
      .selectFrom('registered_models')
      .selectAll()
      .where('workspace', '=', registryWorkspace)
      .where('name', 'in', list)
      .execute(),
    db
      .selectFrom('registered_model_tags')
      .select(['name', 'key', 'value'])
      .where('workspace', '=', registryWorkspace)
      .where('name', 'in', list)
      .orderBy('key')
      .execute(),
    db
      .selectFrom('registered_model_aliases')
      .select(['name', 'version', 'alias'])
      .where('workspace', '=', registryWorkspace)
      .where('name', 'in', list)
      .orderBy('alias')
      .execute(),
    latestVersionKeys(db, list),
  ]);
  const latest = await loadModelVersions(db, latestKeys);
  const byName = new Map(rows.map((row) => [row.name, row]));
  return names.flatMap((name) => {
    const row = byName.get(name);
    if (row === undefined) return [];
    return [
      registeredModelFromRow(
        row,
        tagRows.filter((tag) => tag.name === name).map((tag) => ({ key: tag.key, value: tag.value ?? '' })),
        aliasRows
          .filter((alias) => alias.name === name)
          .map((alias) => ({ alias: alias.alias, version: String(alias.version) })),
        latest.filter((version) => version.name === name),
      ),
    ];
  });
}

function registeredModelFromRow(
  row: Selectable<RegisteredModelsTable>,
  tags: { key: string; value: string }[],
  aliases: { alias: string; version: string }[],
  latestVersions: ModelVersion[],
): RegisteredModel {
  return {
    name: row.name,
    creation_timestamp: row.creation_time === null ? 0 : toNumber(row.creation_time),
    ...(row.last_updated_time === null ? {} : { last_updated_timestamp: toNumber(row.last_updated_time) }),
    ...optional('description', row.description),
    latest_versions: latestVersions,
    tags,
    aliases,
  };
}
