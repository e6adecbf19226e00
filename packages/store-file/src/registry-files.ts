import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { doesNotExist, type ModelVersion, type RegisteredModel } from '@cairn/core';
import {
  isMissing,
  listDirectories,
  readKeyedFiles,
  readYaml,
  withDirectoryLock,
  writeYaml,
} from './fs-io.js';
import {
  type ModelVersionMeta,
  modelsFolder,
  modelVersionMetaYaml,
  parseModelVersionMeta,
  parseRegisteredModelMeta,
  type RegisteredModelMeta,
  registeredModelMetaYaml,
  registeredModelPaths,
  registryLockSuffix,
  versionOfFolder,
} from './registry-layout.js';

/** One version as read from its folder. */
export interface VersionFiles {
  meta: ModelVersionMeta;
  tags: Map<string, string>;
}

/** One registered model as read from its folder, versions included (deleted ones too). */
export interface ModelFiles {
  meta: RegisteredModelMeta;
  tags: Map<string, string>;
  /** alias -> version number as written (a decimal string). */
  aliases: Map<string, string>;
  versions: VersionFiles[];
}

/** Runs `tasks` with at most `limit` in flight, so a scan of thousands of models never exhausts descriptors. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const trimmed = (values: Map<string, string>) =>
  new Map([...values].map(([key, value]) => [key, value.trim()]));

/**
 * Reads and writes the `<root>/models/` tree. Reads take no lock: every file is replaced atomically and a
 * model or version appears by one folder rename, so a reader sees it whole or not at all. Writes hold one
 * registry lock in the root, so read-modify-write of a `meta.yaml` never interleaves between Cairn processes.
 */
export function createRegistryFiles(root: string) {
  const modelsDir = join(root, modelsFolder);
  const modelDir = (name: string) => join(modelsDir, name);

  /** A fresh folder beside `models/` for building or removing a tree out of sight of MLflow and Cairn. */
  const stagingDir = () => join(root, `~cairn-${randomBytes(6).toString('hex')}.trash`);

  const readTags = (dir: string) => readKeyedFiles(join(dir, 'tags'));

  const readVersion = async (dir: string, version: number): Promise<VersionFiles | undefined> => {
    const versionDir = registeredModelPaths(dir).version(version);
    const raw = await readYaml(join(versionDir, 'meta.yaml'));
    if (raw === undefined) return undefined;
    return { meta: parseModelVersionMeta(raw, version), tags: await readTags(versionDir) };
  };

  /** The numbers of every `version-<n>` folder, deleted versions included. */
  const versionNumbers = async (dir: string) =>
    (await listDirectories(dir))
      .map(versionOfFolder)
      .filter((version): version is number => version !== undefined)
      .sort((a, b) => a - b);

  const readModelMeta = async (name: string): Promise<RegisteredModelMeta | undefined> => {
    const raw = await readYaml(registeredModelPaths(modelDir(name)).meta);
    return raw === undefined ? undefined : parseRegisteredModelMeta(raw, name);
  };

  const readAliases = async (name: string) =>
    trimmed(await readKeyedFiles(registeredModelPaths(modelDir(name)).aliases));

  const readModel = async (name: string): Promise<ModelFiles | undefined> => {
    const meta = await readModelMeta(name);
    if (meta === undefined) return undefined;
    const dir = modelDir(name);
    const [tags, aliases, numbers] = await Promise.all([
      readTags(dir),
      readAliases(name),
      versionNumbers(dir),
    ]);
    const versions = (await Promise.all(numbers.map((version) => readVersion(dir, version)))).filter(
      (version): version is VersionFiles => version !== undefined,
    );
    return { meta, tags, aliases, versions };
  };

  const modelNames = async () =>
    (await listDirectories(modelsDir)).filter((name) => !name.includes('~cairn')).sort();

  return {
    modelDir,
    readModelMeta,
    readAliases,
    readModel,
    readVersion,
    versionNumbers,
    modelNames,

    /** Every model that has a `meta.yaml`, read with bounded parallelism. */
    async readAllModels(): Promise<ModelFiles[]> {
      const models = await mapLimited(await modelNames(), 32, readModel);
      return models.filter((model): model is ModelFiles => model !== undefined);
    },

    /** Runs `action` holding the registry's write lock (creating `models/` first, as MLflow does on open). */
    async withLock<T>(action: () => Promise<T>): Promise<T> {
      await mkdir(modelsDir, { recursive: true });
      return withDirectoryLock(root, action, registryLockSuffix);
    },

    writeModelMeta(meta: RegisteredModelMeta, aliases: ReadonlyMap<string, string>) {
      const dir = modelDir(meta.name);
      return writeYaml(registeredModelPaths(dir).meta, registeredModelMetaYaml(meta, aliases), dir);
    },

    writeVersionMeta(name: string, meta: ModelVersionMeta) {
      const dir = modelDir(name);
      return writeYaml(
        join(registeredModelPaths(dir).version(meta.version), 'meta.yaml'),
        modelVersionMetaYaml(name, meta),
        dir,
      );
    },

    /**
     * Builds a folder (a new model or version) out of sight, then renames it into place, so it appears
     * whole or, if the process dies first, not at all. Fails with the rename's error if `target` is taken.
     */
    async publishFolder(target: string, build: (dir: string) => Promise<void>): Promise<void> {
      const staging = stagingDir();
      await mkdir(staging);
      try {
        await build(staging);
        await rename(staging, target);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },

    /** Moves a model's folder out of `models/` in one rename, then deletes it. */
    async removeModelFolder(name: string): Promise<void> {
      const staging = stagingDir();
      try {
        await rename(modelDir(name), staging);
      } catch (error) {
        if (isMissing(error))
          throw doesNotExist(`Registered Model with name=${name} not found`, { field: 'name' });
        throw error;
      }
      await rm(staging, { recursive: true, force: true });
    },

    /** True when `dir` exists and holds anything. */
    async isOccupied(dir: string): Promise<boolean> {
      try {
        return (await readdir(dir)).length > 0;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}

export type RegistryFiles = ReturnType<typeof createRegistryFiles>;

/** A version as the contract returns it. */
export function toModelVersion(
  name: string,
  version: VersionFiles,
  aliases: ReadonlyMap<string, string>,
): ModelVersion {
  const { meta } = version;
  const number = String(meta.version);
  return {
    name,
    version: number,
    creation_timestamp: meta.creationTimestamp,
    last_updated_timestamp: meta.lastUpdatedTimestamp,
    current_stage: meta.stage,
    source: meta.source,
    status: 'READY',
    tags: [...version.tags].map(([key, value]) => ({ key, value })),
    aliases: [...aliases].filter(([, target]) => target === number).map(([alias]) => alias),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    ...(meta.runId === undefined ? {} : { run_id: meta.runId }),
    ...(meta.runLink === undefined ? {} : { run_link: meta.runLink }),
    ...(meta.modelId === undefined ? {} : { model_id: meta.modelId }),
    ...(meta.userId === undefined ? {} : { user_id: meta.userId }),
    ...(meta.statusMessage === undefined ? {} : { status_message: meta.statusMessage }),
  };
}

/** A registered model as the contract returns it, `latest_versions` one per stage in the given stages. */
export function toRegisteredModel(model: ModelFiles, latest: ModelVersion[]): RegisteredModel {
  const { meta } = model;
  return {
    name: meta.name,
    creation_timestamp: meta.creationTimestamp,
    last_updated_timestamp: meta.lastUpdatedTimestamp,
    latest_versions: latest,
    tags: [...model.tags].map(([key, value]) => ({ key, value })),
    aliases: [...model.aliases].map(([alias, version]) => ({ alias, version })),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    ...(meta.deploymentJobId === undefined ? {} : { deployment_job_id: meta.deploymentJobId }),
  };
}
