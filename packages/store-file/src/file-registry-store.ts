import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  activeModelVersionStages,
  alreadyExists,
  type CreateModelVersionInput,
  canonicalStage,
  deletedModelVersionStage,
  doesNotExist,
  invalidParameter,
  latestAlias,
  type ModelVersion,
  modelVersionStages,
  type RegistryStore,
  searchModelVersionsInMemory,
  searchRegisteredModelsInMemory,
  validateAliasName,
  validateModelVersionNumber,
  validateNewAliasName,
  validateRegistryTag,
} from '@cairn/core';
import { writeTextAtomic, writeYaml } from './fs-io.js';
import { removeTagFile, writeKeyedFile } from './keyed-files.js';
import {
  createRegistryFiles,
  type ModelFiles,
  toModelVersion,
  toRegisteredModel,
  type VersionFiles,
} from './registry-files.js';
import {
  type ModelVersionMeta,
  modelVersionMetaYaml,
  type RegisteredModelMeta,
  registeredModelMetaYaml,
  registeredModelPaths,
  validateFileModelName,
} from './registry-layout.js';

/** Options of {@link createFileRegistryStore}. */
export interface FileRegistryStoreOptions {
  /** The `mlruns` directory; the registry lives in its `models/` folder, as MLflow's FileStore keeps it. */
  root: string;
}

const modelNotFound = (name: string) =>
  doesNotExist(`Registered Model with name=${name} not found`, { field: 'name' });
const versionNotFound = (name: string, version: number | string) =>
  doesNotExist(`Model Version (name=${name}, version=${version}) not found`, { field: 'version' });

const isLive = (version: VersionFiles) => version.meta.stage !== deletedModelVersionStage;

/** The newest live version in each of `stages`, lowest number first. */
function latestPerStage(model: ModelFiles, stages: readonly string[]): ModelVersion[] {
  const latest = new Map<string, VersionFiles>();
  for (const version of model.versions.filter(isLive)) {
    if (!stages.includes(version.meta.stage)) continue;
    const current = latest.get(version.meta.stage);
    if (current === undefined || version.meta.version > current.meta.version)
      latest.set(version.meta.stage, version);
  }
  return [...latest.values()]
    .sort((a, b) => a.meta.version - b.meta.version)
    .map((version) => toModelVersion(model.meta.name, version, model.aliases));
}

/**
 * MLflow's file model registry (`<root>/models/<name>/meta.yaml`, `tags/`, `aliases/`,
 * `version-<n>/meta.yaml` and `tags/`) as a `RegistryStore`: MLflow reads what it writes and it reads what
 * MLflow writes. Deleted versions stay as `Deleted_Internal` folders, unredacted, as MLflow's FileStore
 * leaves them, so their numbers are never reused. Search reads the whole tree, as MLflow's does.
 */
export function createFileRegistryStore(options: FileRegistryStoreOptions): RegistryStore {
  const files = createRegistryFiles(options.root);
  // Timestamps never go backwards or repeat within one store, so "last updated" orders are stable.
  let clock = 0;
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return clock;
  };

  const loadModel = async (name: string): Promise<ModelFiles> => {
    const model = await files.readModel(validateFileModelName(name));
    if (model === undefined) throw modelNotFound(name);
    return model;
  };

  const loadVersion = async (name: string, version: string) => {
    const valid = validateFileModelName(name);
    const number = validateModelVersionNumber(version);
    if ((await files.readModelMeta(valid)) === undefined) throw modelNotFound(name);
    const found = await files.readVersion(files.modelDir(valid), number);
    if (found === undefined || !isLive(found)) throw versionNotFound(name, number);
    return { name: valid, number, version: found };
  };

  const registeredModel = (model: ModelFiles) =>
    toRegisteredModel(model, latestPerStage(model, modelVersionStages));

  /** Bumps a model's `last_updated_timestamp` (MLflow does on every tag, alias, version and stage change). */
  const touchModel = async (name: string, time: number) => {
    const meta = await files.readModelMeta(name);
    if (meta === undefined) throw modelNotFound(name);
    await files.writeModelMeta({ ...meta, lastUpdatedTimestamp: time }, await files.readAliases(name));
  };

  const readVersionOut = async (name: string, number: number): Promise<ModelVersion> => {
    const version = await files.readVersion(files.modelDir(name), number);
    if (version === undefined) throw versionNotFound(name, number);
    return toModelVersion(name, version, await files.readAliases(name));
  };

  const store: RegistryStore = {
    specificationVersion: 'v1',
    capabilities: { searchPushdown: false },

    async createRegisteredModel(input) {
      const name = validateFileModelName(input.name);
      const tags = (input.tags ?? []).map(validateRegistryTag);
      return files.withLock(async () => {
        const dir = files.modelDir(name);
        if ((await files.readModelMeta(name)) !== undefined || (await files.isOccupied(dir))) {
          throw alreadyExists(`Registered Model (name=${name}) already exists.`, { field: 'name' });
        }
        const time = now();
        const meta: RegisteredModelMeta = {
          name,
          creationTimestamp: time,
          lastUpdatedTimestamp: time,
          ...(input.description ? { description: input.description } : {}),
        };
        await files.publishFolder(dir, async (staging) => {
          for (const tag of tags) await writeKeyedFile(staging, 'tags', tag.key, tag.value);
          await writeYaml(
            registeredModelPaths(staging).meta,
            registeredModelMetaYaml(meta, new Map()),
            staging,
          );
        });
        return registeredModel(await loadModel(name));
      });
    },

    async getRegisteredModel(name) {
      return registeredModel(await loadModel(name));
    },

    async renameRegisteredModel(name, newName) {
      const source = validateFileModelName(name);
      const target = validateFileModelName(newName, 'new_name');
      return files.withLock(async () => {
        const model = await loadModel(source);
        if (target === source) return registeredModel(model);
        if (
          (await files.readModelMeta(target)) !== undefined ||
          (await files.isOccupied(files.modelDir(target)))
        ) {
          throw alreadyExists(`Registered Model (name=${target}) already exists.`, { field: 'new_name' });
        }
        // One rename moves versions, tags and aliases together (MLflow copies the versions only and loses
        // the model's tags and aliases); the names inside the meta files follow. Cairn reads the name from
        // the folder, so a process killed between the two still reads the model whole under its new name.
        await rename(files.modelDir(source), files.modelDir(target));
        const time = now();
        await files.writeModelMeta(
          { ...model.meta, name: target, lastUpdatedTimestamp: time },
          model.aliases,
        );
        for (const version of model.versions) {
          await files.writeVersionMeta(target, { ...version.meta, lastUpdatedTimestamp: time });
        }
        return registeredModel(await loadModel(target));
      });
    },

    async updateRegisteredModel(name, description) {
      const valid = validateFileModelName(name);
      return files.withLock(async () => {
        const model = await loadModel(valid);
        const { description: _previous, ...rest } = model.meta;
        const meta: RegisteredModelMeta = {
          ...rest,
          lastUpdatedTimestamp: now(),
          ...(description ? { description } : {}),
        };
        await files.writeModelMeta(meta, model.aliases);
        return registeredModel({ ...model, meta });
      });
    },

    async deleteRegisteredModel(name) {
      const valid = validateFileModelName(name);
      await files.withLock(async () => {
        if ((await files.readModelMeta(valid)) === undefined) throw modelNotFound(name);
        await files.removeModelFolder(valid);
      });
    },

    async searchRegisteredModels(input) {
      const models = await files.readAllModels();
      return searchRegisteredModelsInMemory(models.map(registeredModel), input);
    },

    async getLatestVersions(name, stages) {
      const model = await loadModel(name);
      const wanted =
        stages === undefined || stages.length === 0 ? modelVersionStages : stages.map(canonicalStage);
      return latestPerStage(model, wanted);
    },

    async setRegisteredModelTag(name, tag) {
      const valid = validateRegistryTag(tag);
      const modelName = validateFileModelName(name);
      await files.withLock(async () => {
        if ((await files.readModelMeta(modelName)) === undefined) throw modelNotFound(name);
        const dir = files.modelDir(modelName);
        await writeKeyedFile(dir, 'tags', valid.key, valid.value);
        await touchModel(modelName, now());
      });
    },

    async deleteRegisteredModelTag(name, key) {
      const modelName = validateFileModelName(name);
      await files.withLock(async () => {
        if ((await files.readModelMeta(modelName)) === undefined) throw modelNotFound(name);
        if (await removeTagFile(registeredModelPaths(files.modelDir(modelName)).tags, key)) {
          await touchModel(modelName, now());
        }
      });
    },

    async createModelVersion(input: CreateModelVersionInput) {
      const name = validateFileModelName(input.name);
      const tags = (input.tags ?? []).map(validateRegistryTag);
      if (typeof input.source !== 'string') {
        throw invalidParameter("Missing value for required parameter 'source'.", { field: 'source' });
      }
      return files.withLock(async () => {
        const model = await files.readModelMeta(name);
        if (model === undefined) throw modelNotFound(name);
        const dir = files.modelDir(name);
        // Numbers are never reused: deleted versions keep their folders.
        const number = Math.max(0, ...(await files.versionNumbers(dir))) + 1;
        const time = now();
        const meta: ModelVersionMeta = {
          version: number,
          creationTimestamp: time,
          lastUpdatedTimestamp: time,
          stage: 'None',
          source: input.source,
          storageLocation: input.storageLocation ?? input.source,
          ...(input.runId ? { runId: input.runId } : {}),
          ...(input.runLink ? { runLink: input.runLink } : {}),
          ...(input.description ? { description: input.description } : {}),
          ...(input.modelId ? { modelId: input.modelId } : {}),
        };
        await files.publishFolder(registeredModelPaths(dir).version(number), async (staging) => {
          for (const tag of tags) await writeKeyedFile(staging, 'tags', tag.key, tag.value);
          await writeYaml(join(staging, 'meta.yaml'), modelVersionMetaYaml(name, meta), staging);
        });
        await touchModel(name, time);
        return readVersionOut(name, number);
      });
    },

    async getModelVersion(name, version) {
      const found = await loadVersion(name, version);
      return toModelVersion(found.name, found.version, await files.readAliases(found.name));
    },

    async updateModelVersion(name, version, description) {
      return files.withLock(async () => {
        const found = await loadVersion(name, version);
        const { description: _previous, ...rest } = found.version.meta;
        await files.writeVersionMeta(found.name, {
          ...rest,
          lastUpdatedTimestamp: now(),
          ...(description ? { description } : {}),
        });
        return readVersionOut(found.name, found.number);
      });
    },

    async deleteModelVersion(name, version) {
      await files.withLock(async () => {
        const found = await loadVersion(name, version);
        const time = now();
        // The folder stays (so the number is never handed out again), as MLflow's FileStore keeps it.
        await files.writeVersionMeta(found.name, {
          ...found.version.meta,
          stage: deletedModelVersionStage,
          lastUpdatedTimestamp: time,
        });
        const aliases = await files.readAliases(found.name);
        const aliasesDir = registeredModelPaths(files.modelDir(found.name)).aliases;
        for (const [alias, target] of aliases) {
          if (target === String(found.number)) await removeTagFile(aliasesDir, alias);
        }
        await touchModel(found.name, time);
      });
    },

    async transitionModelVersionStage(name, version, stage, archiveExistingVersions) {
      const target = canonicalStage(stage);
      if (archiveExistingVersions && !activeModelVersionStages.includes(target)) {
        throw invalidParameter(
          `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${activeModelVersionStages.join(', ')}`,
          { field: 'archive_existing_versions' },
        );
      }
      return files.withLock(async () => {
        const found = await loadVersion(name, version);
        const time = now();
        if (archiveExistingVersions) {
          const model = await loadModel(found.name);
          for (const other of model.versions.filter(isLive)) {
            if (other.meta.version !== found.number && other.meta.stage === target) {
              await files.writeVersionMeta(found.name, {
                ...other.meta,
                stage: 'Archived',
                lastUpdatedTimestamp: time,
              });
            }
          }
        }
        await files.writeVersionMeta(found.name, {
          ...found.version.meta,
          stage: target,
          lastUpdatedTimestamp: time,
        });
        await touchModel(found.name, time);
        return readVersionOut(found.name, found.number);
      });
    },

    async searchModelVersions(input) {
      const models = await files.readAllModels();
      const versions = models.flatMap((model) =>
        model.versions
          .filter(isLive)
          .map((version) => toModelVersion(model.meta.name, version, model.aliases)),
      );
      return searchModelVersionsInMemory(versions, input);
    },

    async getModelVersionDownloadUri(name, version) {
      const found = await loadVersion(name, version);
      return found.version.meta.storageLocation ?? found.version.meta.source;
    },

    async setModelVersionTag(name, version, tag) {
      const valid = validateRegistryTag(tag);
      await files.withLock(async () => {
        const found = await loadVersion(name, version);
        const dir = files.modelDir(found.name);
        await writeKeyedFile(
          registeredModelPaths(dir).version(found.number),
          'tags',
          valid.key,
          valid.value,
          dir,
        );
        await touchModel(found.name, now());
      });
    },

    async deleteModelVersionTag(name, version, key) {
      await files.withLock(async () => {
        const found = await loadVersion(name, version);
        const versionDir = registeredModelPaths(files.modelDir(found.name)).version(found.number);
        if (await removeTagFile(join(versionDir, 'tags'), key)) await touchModel(found.name, now());
      });
    },

    async setRegisteredModelAlias(name, alias, version) {
      const valid = validateNewAliasName(alias);
      await files.withLock(async () => {
        const found = await loadVersion(name, version);
        const dir = files.modelDir(found.name);
        // The temp file goes in the model's folder: MLflow reads every file in aliases/ as an alias.
        await writeTextAtomic(join(registeredModelPaths(dir).aliases, valid), String(found.number), {
          base: dir,
          tempDir: dir,
        });
        await touchModel(found.name, now());
      });
    },

    async deleteRegisteredModelAlias(name, alias) {
      const valid = validateAliasName(alias);
      const modelName = validateFileModelName(name);
      await files.withLock(async () => {
        if ((await files.readModelMeta(modelName)) === undefined) throw modelNotFound(name);
        if (await removeTagFile(registeredModelPaths(files.modelDir(modelName)).aliases, valid)) {
          await touchModel(modelName, now());
        }
      });
    },

    async getModelVersionByAlias(name, alias) {
      const valid = validateAliasName(alias);
      const model = await loadModel(name);
      if (valid.toLowerCase() === latestAlias) {
        const newest = model.versions.filter(isLive).sort((a, b) => b.meta.version - a.meta.version)[0];
        if (newest === undefined) {
          throw doesNotExist(`Latest version not found for model ${name}.`, { field: 'name' });
        }
        return toModelVersion(model.meta.name, newest, model.aliases);
      }
      const target = model.aliases.get(valid);
      if (target === undefined) {
        throw invalidParameter(`Registered model alias ${valid} not found.`, { field: 'alias' });
      }
      return store.getModelVersion(model.meta.name, target);
    },

    async close() {},
  };
  return store;
}
