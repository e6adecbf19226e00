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
  type ModelVersionTag,
  modelVersionStages,
  type Page,
  type RegisteredModel,
  type RegisteredModelTag,
  type RegistryStore,
  type SearchRegistryInput,
  searchModelVersionsInMemory,
  searchRegisteredModelsInMemory,
  validateAliasName,
  validateModelName,
  validateModelVersionNumber,
  validateNewAliasName,
  validateRegistryTag,
} from '@cairn/core';

interface VersionRecord {
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  stage: string;
  source: string;
  storageLocation: string;
  runId?: string;
  runLink?: string;
  description?: string;
  modelId?: string;
  tags: Map<string, string>;
}

interface ModelRecord {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  tags: Map<string, string>;
  /** alias -> version number. */
  aliases: Map<string, number>;
  /** Every version ever created, deleted ones included (stage `Deleted_Internal`), so numbers are never reused. */
  versions: Map<number, VersionRecord>;
}

const entries = (map: ReadonlyMap<string, string>) => [...map].map(([key, value]) => ({ key, value }));

/**
 * A model registry held in memory: the reference implementation of the `RegistryStore` contract, with
 * MLflow's semantics (numbers never reused, soft-deleted versions redacted, aliases removed with their version).
 */
export function createMemoryRegistryStore(): RegistryStore {
  const models = new Map<string, ModelRecord>();
  // Timestamps never go backwards or repeat within one store, so "last updated" orders are stable.
  let clock = 0;
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return clock;
  };

  const findModel = (name: string): ModelRecord => {
    const model = models.get(validateModelName(name));
    if (model === undefined) {
      throw doesNotExist(`Registered Model with name=${name} not found`, { field: 'name' });
    }
    return model;
  };

  const findVersion = (name: string, version: string): { model: ModelRecord; record: VersionRecord } => {
    validateModelName(name);
    const number = validateModelVersionNumber(version);
    const model = models.get(name);
    const record = model?.versions.get(number);
    if (model === undefined || record === undefined || record.stage === deletedModelVersionStage) {
      throw doesNotExist(`Model Version (name=${name}, version=${number}) not found`, { field: 'version' });
    }
    return { model, record };
  };

  const toVersion = (model: ModelRecord, record: VersionRecord): ModelVersion => ({
    name: model.name,
    version: String(record.version),
    creation_timestamp: record.creationTimestamp,
    last_updated_timestamp: record.lastUpdatedTimestamp,
    current_stage: record.stage,
    source: record.source,
    status: 'READY',
    tags: entries(record.tags),
    aliases: [...model.aliases].filter(([, version]) => version === record.version).map(([alias]) => alias),
    ...(record.description === undefined ? {} : { description: record.description }),
    ...(record.runId === undefined ? {} : { run_id: record.runId }),
    ...(record.runLink === undefined ? {} : { run_link: record.runLink }),
    ...(record.modelId === undefined ? {} : { model_id: record.modelId }),
  });

  const liveVersions = (model: ModelRecord) =>
    [...model.versions.values()].filter((record) => record.stage !== deletedModelVersionStage);

  const latestPerStage = (model: ModelRecord, stages: readonly string[]): ModelVersion[] => {
    const latest = new Map<string, VersionRecord>();
    for (const record of liveVersions(model)) {
      if (!stages.includes(record.stage)) continue;
      const current = latest.get(record.stage);
      if (current === undefined || record.version > current.version) latest.set(record.stage, record);
    }
    return [...latest.values()]
      .sort((a, b) => a.version - b.version)
      .map((record) => toVersion(model, record));
  };

  const toModel = (model: ModelRecord): RegisteredModel => ({
    name: model.name,
    creation_timestamp: model.creationTimestamp,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    latest_versions: latestPerStage(model, modelVersionStages),
    tags: entries(model.tags),
    aliases: [...model.aliases].map(([alias, version]) => ({ alias, version: String(version) })),
    ...(model.description === undefined ? {} : { description: model.description }),
  });

  return {
    specificationVersion: 'v1',
    capabilities: { searchPushdown: false },

    async createRegisteredModel(input) {
      const name = validateModelName(input.name);
      const tags = (input.tags ?? []).map(validateRegistryTag);
      if (models.has(name)) {
        throw alreadyExists(`Registered Model (name=${name}) already exists.`, { field: 'name' });
      }
      const time = now();
      const model: ModelRecord = {
        name,
        creationTimestamp: time,
        lastUpdatedTimestamp: time,
        tags: new Map(tags.map((tag) => [tag.key, tag.value])),
        aliases: new Map(),
        versions: new Map(),
        ...(input.description ? { description: input.description } : {}),
      };
      models.set(name, model);
      return toModel(model);
    },

    async getRegisteredModel(name) {
      return toModel(findModel(name));
    },

    async renameRegisteredModel(name, newName) {
      const target = validateModelName(newName, 'new_name');
      const model = findModel(name);
      if (models.has(target)) {
        throw alreadyExists(`Registered Model (name=${target}) already exists.`, { field: 'new_name' });
      }
      const time = now();
      models.delete(model.name);
      model.name = target;
      model.lastUpdatedTimestamp = time;
      for (const record of model.versions.values()) record.lastUpdatedTimestamp = time;
      models.set(target, model);
      return toModel(model);
    },

    async updateRegisteredModel(name, description) {
      const model = findModel(name);
      if (description) model.description = description;
      else delete model.description;
      model.lastUpdatedTimestamp = now();
      return toModel(model);
    },

    async deleteRegisteredModel(name) {
      models.delete(findModel(name).name);
    },

    async searchRegisteredModels(input: SearchRegistryInput): Promise<Page<RegisteredModel>> {
      return searchRegisteredModelsInMemory([...models.values()].map(toModel), input);
    },

    async getLatestVersions(name, stages) {
      const model = findModel(name);
      const wanted =
        stages === undefined || stages.length === 0 ? modelVersionStages : stages.map(canonicalStage);
      return latestPerStage(model, wanted);
    },

    async setRegisteredModelTag(name, tag: RegisteredModelTag) {
      const valid = validateRegistryTag(tag);
      findModel(name).tags.set(valid.key, valid.value);
    },

    async deleteRegisteredModelTag(name, key) {
      findModel(name).tags.delete(key);
    },

    async createModelVersion(input: CreateModelVersionInput) {
      const tags = (input.tags ?? []).map(validateRegistryTag);
      if (typeof input.source !== 'string') {
        throw invalidParameter("Missing value for required parameter 'source'.", { field: 'source' });
      }
      const model = findModel(input.name);
      const number = Math.max(0, ...model.versions.keys()) + 1;
      const time = now();
      const record: VersionRecord = {
        version: number,
        creationTimestamp: time,
        lastUpdatedTimestamp: time,
        stage: 'None',
        source: input.source,
        storageLocation: input.storageLocation ?? input.source,
        tags: new Map(tags.map((tag) => [tag.key, tag.value])),
        ...(input.runId ? { runId: input.runId } : {}),
        ...(input.runLink ? { runLink: input.runLink } : {}),
        ...(input.description ? { description: input.description } : {}),
        ...(input.modelId ? { modelId: input.modelId } : {}),
      };
      model.versions.set(number, record);
      model.lastUpdatedTimestamp = time;
      return toVersion(model, record);
    },

    async getModelVersion(name, version) {
      const { model, record } = findVersion(name, version);
      return toVersion(model, record);
    },

    async updateModelVersion(name, version, description) {
      const { model, record } = findVersion(name, version);
      if (description) record.description = description;
      else delete record.description;
      record.lastUpdatedTimestamp = now();
      return toVersion(model, record);
    },

    async deleteModelVersion(name, version) {
      const { model, record } = findVersion(name, version);
      const time = now();
      for (const [alias, target] of model.aliases) if (target === record.version) model.aliases.delete(alias);
      // Kept, redacted, so the number is never handed out again (MLflow's soft delete).
      record.stage = deletedModelVersionStage;
      record.source = 'REDACTED-SOURCE-PATH';
      record.runId = 'REDACTED-RUN-ID';
      record.runLink = 'REDACTED-RUN-LINK';
      delete record.description;
      record.lastUpdatedTimestamp = time;
      model.lastUpdatedTimestamp = time;
    },

    async transitionModelVersionStage(name, version, stage, archiveExistingVersions) {
      const target = canonicalStage(stage);
      if (archiveExistingVersions && !activeModelVersionStages.includes(target)) {
        throw invalidParameter(
          `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${activeModelVersionStages.join(', ')}`,
          { field: 'archive_existing_versions' },
        );
      }
      const { model, record } = findVersion(name, version);
      const time = now();
      if (archiveExistingVersions) {
        for (const other of liveVersions(model)) {
          if (other !== record && other.stage === target) {
            other.stage = 'Archived';
            other.lastUpdatedTimestamp = time;
          }
        }
      }
      record.stage = target;
      record.lastUpdatedTimestamp = time;
      model.lastUpdatedTimestamp = time;
      return toVersion(model, record);
    },

    async searchModelVersions(input) {
      const versions = [...models.values()].flatMap((model) =>
        liveVersions(model).map((record) => toVersion(model, record)),
      );
      return searchModelVersionsInMemory(versions, input);
    },

    async getModelVersionDownloadUri(name, version) {
      return findVersion(name, version).record.storageLocation;
    },

    async setModelVersionTag(name, version, tag: ModelVersionTag) {
      const valid = validateRegistryTag(tag);
      findVersion(name, version).record.tags.set(valid.key, valid.value);
    },

    async deleteModelVersionTag(name, version, key) {
      findVersion(name, version).record.tags.delete(key);
    },

    async setRegisteredModelAlias(name, alias, version) {
      const valid = validateNewAliasName(alias);
      const { model, record } = findVersion(name, version);
      model.aliases.set(valid, record.version);
    },

    async deleteRegisteredModelAlias(name, alias) {
      const valid = validateAliasName(alias);
      findModel(name).aliases.delete(valid);
    },

    async getModelVersionByAlias(name, alias) {
      const valid = validateAliasName(alias);
      const model = findModel(name);
      if (valid.toLowerCase() === latestAlias) {
        const newest = liveVersions(model).sort((a, b) => b.version - a.version)[0];
        if (newest === undefined) {
          throw doesNotExist(`Latest version not found for model ${name}.`, { field: 'name' });
        }
        return toVersion(model, newest);
      }
      const target = model.aliases.get(valid);
      if (target === undefined) {
        throw invalidParameter(`Registered model alias ${valid} not found.`, { field: 'alias' });
      }
      return this.getModelVersion(model.name, String(target));
    },

    async close() {},
  };
}
