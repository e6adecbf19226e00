import { join } from 'node:path';
import { invalidParameter, validateModelName } from '@cairn/core';

/** MLflow's registry lives in `<root>/models/`, a folder its tracking FileStore skips when listing experiments. */
export const modelsFolder = 'models';
export const registryMetaFile = 'meta.yaml';
export const versionFolderPrefix = 'version-';
/**
 * The registry's write lock in the root. Its name ends with `.trash` because MLflow's tracking FileStore
 * takes every other root folder for an experiment; it skips `*.trash`.
 */
export const registryLockSuffix = '.registry.trash';
/** What MLflow's FileStore writes as `workspace` (3.18 added the field; older versions ignore it). */
const defaultWorkspace = 'default';

/** The folders and files of one registered model. */
export function registeredModelPaths(modelDir: string) {
  return {
    meta: join(modelDir, registryMetaFile),
    tags: join(modelDir, 'tags'),
    aliases: join(modelDir, 'aliases'),
    version: (version: number) => join(modelDir, `${versionFolderPrefix}${version}`),
  };
}

/** The version number a `version-<n>` folder holds, or undefined for any other name. */
export function versionOfFolder(name: string): number | undefined {
  const match = /^version-(\d+)$/.exec(name);
  return match === null ? undefined : Number.parseInt(match[1] as string, 10);
}

/**
 * A registered-model name as MLflow's FileStore accepts it: core's rules, and no `%` or `\`, since the name is
 * the model's folder name as given (MLflow encodes nothing).
 */
export function validateFileModelName(name: unknown, field = 'name'): string {
  const valid = validateModelName(name, field);
  if (valid.includes('\\')) {
    throw invalidParameter(`Invalid name: '${valid}'. Registered model name cannot contain path separator`, {
      field,
    });
  }
  if (valid.includes('%')) {
    throw invalidParameter(`Invalid name: '${valid}'. Registered model name cannot contain '%' character`, {
      field,
    });
  }
  return valid;
}

/** What a registered model's `meta.yaml` holds. */
export interface RegisteredModelMeta {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  deploymentJobId?: string;
}

/** What a version's `meta.yaml` holds. */
export interface ModelVersionMeta {
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  stage: string;
  source: string;
  storageLocation?: string;
  runId?: string;
  runLink?: string;
  description?: string;
  modelId?: string;
  userId?: string;
  statusMessage?: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : value === null || value === undefined
      ? undefined
      : String(value);

const integer = (value: unknown, fallback: number): number => {
  const number = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
  return Number.isFinite(number) ? number : fallback;
};

/**
 * A registered model's `meta.yaml` with MLflow 3.18's keys, sorted as PyYAML writes them. `aliases` is a
 * snapshot MLflow writes but never reads (the `aliases/` folder is the truth); it is kept for fidelity.
 */
export function registeredModelMetaYaml(
  meta: RegisteredModelMeta,
  aliases: ReadonlyMap<string, string>,
): Record<string, unknown> {
  return {
    aliases: Object.fromEntries(aliases),
    creation_timestamp: meta.creationTimestamp,
    deployment_job_id: meta.deploymentJobId ?? null,
    deployment_job_state: null,
    description: meta.description ?? null,
    last_updated_timestamp: meta.lastUpdatedTimestamp,
    name: meta.name,
    workspace: defaultWorkspace,
  };
}

/** Reads a registered model's `meta.yaml`; the name is the folder's, which a rename changes first. */
export function parseRegisteredModelMeta(
  raw: Record<string, unknown>,
  folderName: string,
): RegisteredModelMeta {
  const creationTimestamp = integer(raw.creation_timestamp, 0);
  const description = text(raw.description);
  const deploymentJobId = text(raw.deployment_job_id);
  return {
    name: folderName,
    creationTimestamp,
    lastUpdatedTimestamp: integer(raw.last_updated_timestamp, creationTimestamp),
    ...(description === undefined ? {} : { description }),
    ...(deploymentJobId === undefined ? {} : { deploymentJobId }),
  };
}

/** A version's `meta.yaml` with MLflow 3.18's keys (`version` an integer, `status` always READY). */
export function modelVersionMetaYaml(name: string, meta: ModelVersionMeta): Record<string, unknown> {
  return {
    creation_timestamp: meta.creationTimestamp,
    current_stage: meta.stage,
    deployment_job_state: null,
    description: meta.description ?? null,
    last_updated_timestamp: meta.lastUpdatedTimestamp,
    model_id: meta.modelId ?? null,
    name,
    run_id: meta.runId ?? null,
    run_link: meta.runLink ?? null,
    source: meta.source,
    status: 'READY',
    status_message: meta.statusMessage ?? null,
    storage_location: meta.storageLocation ?? meta.source,
    user_id: meta.userId ?? null,
    version: meta.version,
    workspace: defaultWorkspace,
  };
}

/** Reads a version's `meta.yaml`; the number is the folder's. */
export function parseModelVersionMeta(raw: Record<string, unknown>, version: number): ModelVersionMeta {
  const creationTimestamp = integer(raw.creation_timestamp, 0);
  const optional = {
    storageLocation: text(raw.storage_location),
    runId: text(raw.run_id),
    runLink: text(raw.run_link),
    description: text(raw.description),
    modelId: text(raw.model_id),
    userId: text(raw.user_id),
    statusMessage: text(raw.status_message),
  };
  return {
    version,
    creationTimestamp,
    lastUpdatedTimestamp: integer(raw.last_updated_timestamp, creationTimestamp),
    stage: text(raw.current_stage) ?? 'None',
    source: text(raw.source) ?? '',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}
