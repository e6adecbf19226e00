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
  /**
   * A version's `model_id` is known only from a `models:/<model_id>` source (MLflow's SQL schema has no
   * column for it, so MLflow's own SQL store drops it too); absent or false: `model_id` is kept as given.
   */
  readonly modelIdFromSource?: boolean;
}

/** Arguments of {@link RegistryStore.createModelVersion}. */
export interface CreateModelVersionInput {
  name: string;
  source: string;
  runId?: string;
  tags?: ModelVersionTag[];
  runLink?: string;
  description?: string;
  /** The logged model (`m-...`) this version promotes, if any (MLflow 3). */
  modelId?: string;
  /**
   * Where the files really are when `source` is indirect (a `models:/` URI): what
   * {@link RegistryStore.getModelVersionDownloadUri} returns. The caller resolves it; defaults to `source`.
   */
  storageLocation?: string;
}

/** Arguments of the registry searches. */
export interface SearchRegistryInput extends PageRequest {
  filter?: string;
  orderBy?: string[];
}

/**
 * The contract every model-registry backend implements: registered models, versions, tags, aliases and
 * legacy stages, with MLflow's semantics (version numbers are never reused; deleted versions become
 * `Deleted_Internal`). Names and versions are validated by the store with core's `validateModelName`,
 * `validateModelVersionNumber`, `validateAliasName` and `canonicalStage`; unknown names and versions fail
 * with RESOURCE_DOES_NOT_EXIST, taken names with RESOURCE_ALREADY_EXISTS.
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
  /** Renames a registered model; its versions, tags and aliases follow. RESOURCE_ALREADY_EXISTS if taken. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  /** Changes a registered model's description (`undefined` clears it). */
  updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel>;
  /** Deletes a registered model with all its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  /**
   * Lists registered models matching a filter (`name`, `tags.<key>`), ordered by `name`, `creation_timestamp`
   * or `last_updated_timestamp` (then name), one page at a time (default 100, at most 1000).
   */
  searchRegisteredModels(input: SearchRegistryInput): Promise<Page<RegisteredModel>>;
  /** Returns the newest version in each of the given stages (all stages when empty); stage names are case-insensitive. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  /** Sets (or overwrites) a registered-model tag. */
  setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void>;
  /** Deletes a registered-model tag; a missing tag is not an error (the model must exist). */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /** Creates the next version (max ever used + 1) of a registered model, stage `None`, status READY. */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  /** Returns one version; RESOURCE_DOES_NOT_EXIST if unknown or deleted. */
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  /** Changes a version's description (`undefined` clears it). */
  updateModelVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion>;
  /** Soft-deletes a version: stage `Deleted_Internal`, source redacted, aliases removed. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  /**
   * Moves a version to a stage (case-insensitive), optionally archiving the other versions in that stage;
   * archiving is only allowed into Staging or Production (INVALID_PARAMETER_VALUE otherwise).
   */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  /**
   * Lists live model versions matching a filter (`name`, `version_number`, `run_id`, `source_path`,
   * `tags.<key>`), by default newest update first, one page at a time (default 10000, at most 200000).
   */
  searchModelVersions(input: SearchRegistryInput): Promise<Page<ModelVersion>>;
  /** The URI a version's files are downloaded from (storage location, else source). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  /** Sets (or overwrites) a model-version tag. */
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void>;
  /** Deletes a model-version tag; a missing tag is not an error (the version must exist). */
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /** Points an alias at a version, moving it if set; `latest` and `v<digits>` are reserved. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  /** Removes an alias; a missing alias is not an error (the model must exist). */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /**
   * Returns the version an alias points at (`latest`: the highest live version); INVALID_PARAMETER_VALUE if
   * the alias is unknown, RESOURCE_DOES_NOT_EXIST if the model is.
   */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  /** Releases resources. */
  close(): Promise<void>;
}
