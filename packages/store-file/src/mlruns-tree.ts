import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  assertRunActive,
  CairnError,
  defaultExperiment,
  doesNotExist,
  type Experiment,
  parseArtifactUri,
  pathToFileUri,
  type RunInfo,
  validateRunId,
} from '@cairn/core';
import {
  isTransient,
  listDirectories,
  pathExists,
  readKeyedFiles,
  readYaml,
  withDirectoryLock,
  writeYaml,
} from './fs-io.js';
import {
  experimentFromMeta,
  experimentMeta,
  metaFile,
  reservedExperimentFolders,
  rootLockSuffix,
  runFromMeta,
  runMeta,
  runPaths,
  trashFolder,
} from './mlruns-layout.js';

/** An experiment and the folder it was read from (under the root, or under `.trash` once deleted). */
interface LocatedExperiment {
  experiment: Experiment;
  dir: string;
}

/** A run's info and the folders it was read from. */
export interface LocatedRun {
  info: RunInfo;
  /** When the run was deleted (MLflow's `deleted_time`), kept so a restore can tell why. */
  deletedTime?: number;
  dir: string;
  experimentDir: string;
}

/** What {@link createMlrunsTree} needs: the tracking store's own options. */
export interface MlrunsTreeOptions {
  root: string;
  artifactRoot?: string;
}

/**
 * Finds, reads and rewrites experiments and runs in one `mlruns/` tree: where each lives, how it is read
 * from its `meta.yaml`, and the locked read-modify-write of a run's `meta.yaml`. The tracking store's
 * operations are written on top of this.
 */
export function createMlrunsTree(options: MlrunsTreeOptions) {
  const root = resolve(options.root);
  const trash = join(root, trashFolder);
  /** The lock for changes that span the tree: experiment names and ids, and the Default experiment. */
  const withRootLock = <T>(action: () => Promise<T>) => withDirectoryLock(root, action, rootLockSuffix);
  const artifactRoot = (() => {
    const given = options.artifactRoot;
    if (given === undefined) return pathToFileUri(root);
    const parsed = parseArtifactUri(given);
    const base = parsed.scheme === 'file' && isAbsolute(parsed.path) ? pathToFileUri(parsed.path) : given;
    return base.replace(/\/+$/u, '');
  })();
  /** run id -> folder; folders move when an experiment is deleted, so every hit is checked. */
  const runDirs = new Map<string, LocatedRun['dir']>();
  let closed = false;
  let ready: Promise<void> | undefined;

  const ensureReady = (): Promise<void> => {
    if (closed) throw new CairnError('INVALID_STATE', 'The file tracking store is closed');
    ready ??= (async () => {
      await mkdir(root, { recursive: true });
      const defaultMeta = join(root, defaultExperiment.id, metaFile);
      if (await pathExists(defaultMeta)) return;
      if (await pathExists(join(trash, defaultExperiment.id, metaFile))) return;
      await withRootLock(async () => {
        if (await pathExists(defaultMeta)) return;
        const now = Date.now();
        await writeYaml(
          defaultMeta,
          experimentMeta({
            experiment_id: defaultExperiment.id,
            name: defaultExperiment.name,
            artifact_location: `${artifactRoot}/${defaultExperiment.id}`,
            lifecycle_stage: 'active',
            creation_time: now,
            last_update_time: now,
          }),
          root,
        );
      });
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const experimentDirs = async (): Promise<string[]> => {
    const active = (await listDirectories(root)).filter((name) => name !== trashFolder && !isTransient(name));
    const deleted = (await listDirectories(trash)).filter((name) => !isTransient(name));
    return [...active.map((id) => join(root, id)), ...deleted.map((id) => join(trash, id))];
  };

  const readExperimentAt = async (dir: string): Promise<Experiment | undefined> => {
    const meta = await readYaml(join(dir, metaFile));
    if (meta === undefined) return undefined;
    const tags = await readKeyedFiles(join(dir, 'tags'));
    return { ...experimentFromMeta(meta), tags: [...tags].map(([key, value]) => ({ key, value })) };
  };

  const findExperiment = async (experimentId: string): Promise<LocatedExperiment> => {
    await ensureReady();
    if (!/^\d+$/u.test(experimentId)) {
      throw doesNotExist(`No Experiment with id=${experimentId} exists`, { field: 'experiment_id' });
    }
    for (const dir of [join(root, experimentId), join(trash, experimentId)]) {
      const experiment = await readExperimentAt(dir);
      if (experiment !== undefined) return { experiment, dir };
    }
    throw doesNotExist(`No Experiment with id=${experimentId} exists`, { field: 'experiment_id' });
  };

  const allExperiments = async (): Promise<LocatedExperiment[]> => {
    await ensureReady();
    const found = await Promise.all(
      (await experimentDirs()).map(async (dir) => ({ dir, experiment: await readExperimentAt(dir) })),
    );
    return found.flatMap(({ dir, experiment }) => (experiment === undefined ? [] : [{ dir, experiment }]));
  };

  const readRunAt = async (dir: string, experimentDir: string): Promise<LocatedRun | undefined> => {
    const meta = await readYaml(runPaths(dir).meta);
    if (meta === undefined) return undefined;
    const { info, deletedTime } = runFromMeta(meta);
    return deletedTime === undefined
      ? { info, dir, experimentDir }
      : { info, deletedTime, dir, experimentDir };
  };

  const findRun = async (runId: string): Promise<LocatedRun> => {
    await ensureReady();
    const id = validateRunId(runId);
    const cached = runDirs.get(id);
    if (cached !== undefined) {
      const hit = await readRunAt(cached, join(cached, '..'));
      if (hit !== undefined) return hit;
    }
    for (const experimentDir of await experimentDirs()) {
      const hit = await readRunAt(join(experimentDir, id), experimentDir);
      if (hit === undefined) continue;
      runDirs.set(id, hit.dir);
      return hit;
    }
    throw doesNotExist(`Run '${runId}' not found`, { field: 'run_id' });
  };

  const activeRun = async (runId: string): Promise<LocatedRun> => {
    const run = await findRun(runId);
    assertRunActive(run.info);
    return run;
  };

  const runsOf = async (experimentDir: string): Promise<LocatedRun[]> => {
    const names = (await listDirectories(experimentDir)).filter(
      (name) => !reservedExperimentFolders.has(name) && !isTransient(name),
    );
    const runs = await Promise.all(names.map((name) => readRunAt(join(experimentDir, name), experimentDir)));
    return runs.filter((run): run is LocatedRun => run !== undefined);
  };

  const writeRunInfo = (run: LocatedRun, info: RunInfo, deletedTime?: number) =>
    writeYaml(runPaths(run.dir).meta, runMeta(info, { deleted_time: deletedTime ?? null }), run.dir);

  /** Applies a change to a run's meta.yaml under the run's lock, re-reading it inside the lock. */
  const updateRunMeta = async (runId: string, change: (run: LocatedRun) => RunInfo | undefined) => {
    const located = await findRun(runId);
    return withDirectoryLock(located.dir, async () => {
      const fresh = await rereadRun(located);
      const info = change(fresh);
      if (info !== undefined) await writeRunInfo(fresh, info, fresh.deletedTime);
      return info ?? fresh.info;
    });
  };

  /** A run read again inside its lock; gone means its experiment was deleted (moved) or it was purged. */
  const rereadRun = async (located: LocatedRun): Promise<LocatedRun> => {
    const fresh = await readRunAt(located.dir, located.experimentDir);
    if (fresh === undefined)
      throw doesNotExist(`Run '${located.info.run_id}' not found`, { field: 'run_id' });
    return fresh;
  };

  const nameTaken = async (name: string, except?: string) =>
    (await allExperiments()).some(
      ({ experiment }) => experiment.name === name && experiment.experiment_id !== except,
    );

  /** Writes an experiment's meta.yaml; `base` is `dir` itself unless the experiment is being created. */
  const writeExperiment = (dir: string, experiment: Experiment, base = dir) =>
    writeYaml(join(dir, metaFile), experimentMeta(experiment), base);

  return {
    root,
    trash,
    /** The URI new experiments' artifact locations are made under (no trailing slash). */
    artifactRoot,
    ensureReady,
    withRootLock,
    experimentDirs,
    findExperiment,
    allExperiments,
    readRunAt,
    rereadRun,
    findRun,
    activeRun,
    runsOf,
    writeRunInfo,
    updateRunMeta,
    nameTaken,
    writeExperiment,
    /** Caches where a new run lives, so the next lookup needs no scan. */
    rememberRun: (runId: string, dir: string) => runDirs.set(runId, dir),
    forgetRun: (runId: string) => runDirs.delete(runId),
    close: () => {
      closed = true;
      runDirs.clear();
    },
  };
}
