import type {
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from '../entities/registry.js';
import type { Page, PageRequest } from './page.js';

/** What a registry store can do beyond the required surface. */
export interface RegistryStoreCapabilities {
  /** Filters and ordering run inside the backend rather than in memory. */
  readonly searchPushdown: boolean;
}

/** Arguments of {@link RegistryStore.createModelVersion}. */
export interface CreateModelVersionInput {
  name: string;
  source: string;
  runId?: string;
  tags?: ModelVersionTag[];
  runLink?: string;
  description?: string;
  modelId?: string;
}

/** Arguments of the registry searches. */
export interface SearchRegistryInput extends PageRequest {
  filter?: string;
  orderBy?: string[];
}

/**
 * The contract every model-registry backend implements: registered models, versions, tags, aliases and
 * legacy stages, with MLflow's semantics (version numbers are never reused; deleted versions become
 * `Deleted_Internal`). Implemented by a later issue; declared now so stores can plan for it.
 */
export interface RegistryStore {
  /** The version of this contract the store implements. */
  readonly specificationVersion: 'v1';
  /** What the store supports beyond the required surface. */
  readonly capabilities: RegistryStoreCapabilities;

  /** Creates a registered model; RESOURCE_ALREADY_EXISTS if the name is taken. */
  createRegisteredModel(input: {
    name: string;
    tags?: RegisteredModelTag[];
    description?: string;
  }): Promise<RegisteredModel>;
  /** Returns a registered model with its latest version per stage; RESOURCE_DOES_NOT_EXIST if unknown. */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Renames a registered model; its versions follow. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  /** Changes a registered model's description. */
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  /** Deletes a registered model and all its versions. */
  deleteRegisteredModel(name: string): Promise<void>;
  /** Lists registered models matching a filter, in order, one page at a time. */
  searchRegisteredModels(input: SearchRegistryInput): Promise<Page<RegisteredModel>>;
  /** Returns the newest version in each of the given stages (all stages when empty). */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  /** Sets (or overwrites) a registered-model tag. */
  setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void>;
  /** Deletes a registered-model tag. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /** Creates the next version of a registered model, status READY. */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  /** Returns one version; RESOURCE_DOES_NOT_EXIST if unknown or deleted. */
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  /** Changes a version's description. */
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  /** Soft-deletes a version: stage `Deleted_Internal`, source redacted, aliases removed. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  /** Moves a version to a stage, optionally archiving the others in that stage. */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  /** Lists model versions matching a filter, in order, one page at a time. */
  searchModelVersions(input: SearchRegistryInput): Promise<Page<ModelVersion>>;
  /** The URI a version's files are downloaded from (storage location, else source). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  /** Sets (or overwrites) a model-version tag. */
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void>;
  /** Deletes a model-version tag. */
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /** Points an alias at a version. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  /** Removes an alias. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /** Returns the version an alias points at; INVALID_PARAMETER_VALUE if the alias is unknown. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  /** Releases resources. */
  close(): Promise<void>;
}
