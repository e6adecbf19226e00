import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alreadyExists,
  assertExperimentActive,
  assertParamsUnchanged,
  assertRunActive,
  CairnError,
  createExperimentId,
  createRunId,
  doesNotExist,
  downsampleMetricHistory,
  type ExperimentTag,
  invalidParameter,
  type Metric,
  matchesViewType,
  metricHistoryDownsampleReaderFromPoints,
  metricHistorySampleReaderFromPoints,
  pageMetricHistory,
  type Run,
  type RunInfo,
  resolveArtifactLocation,
  resolveRunName,
  sampleMetricHistoryBulkInterval,
  searchExperimentsInMemory,
  searchRunsInMemory,
  systemTags,
  type TrackingStore,
  validateArtifactLocation,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateRunTag,
} from '@cairn/core';
import { createFileDatasetSearch } from './file-dataset-search.js';
import { createFileLoggedModelOperations } from './file-logged-models.js';
import { createFilePurgeOperations } from './file-purge-operations.js';
import {
  appendAtomic,
  isMissing,
  pathExists,
  readTextIfExists,
  withDirectoryLock,
  writeYaml,
} from './fs-io.js';
import { isSafeKey, removeTagFile, writeKeyedFile } from './keyed-files.js';
import { formatMetricLine, runMeta, runPaths } from './mlruns-layout.js';
import { createMlrunsTree, type LocatedRun } from './mlruns-tree.js';
import {
  readMetricHistory,
  readRunData,
  writeDatasetInput,
  writeModelInput,
  writeModelOutput,
} from './run-files.js';

/** Options of {@link createFileTrackingStore}. */
export interface FileTrackingStoreOptions {
  /** The `mlruns` directory (created on first write). */
  root: string;
  /** Where new experiments' artifacts go (a path or URI); default `file://<root>`, as MLflow's FileStore. */
  artifactRoot?: string;
}

/**
 * A tracking store over MLflow's `mlruns/` directory layout: MLflow reads what it writes and it reads what
 * MLflow writes. Files are the storage and the lock: every whole-file write is a temp file plus a rename,
 * metric points are single O_APPEND writes, and read-modify-write sequences hold an inter-process lock on
 * the run or the root, so several processes can log to one tree at once.
 */
export function createFileTrackingStore(options: FileTrackingStoreOptions): TrackingStore {
  const tree = createMlrunsTree(options);
  const { root, trash, ensureReady, findExperiment, allExperiments, findRun, activeRun, runsOf } = tree;
  const { rereadRun, writeRunInfo, updateRunMeta, nameTaken, writeExperiment, withRootLock } = tree;

  const loggedModels = createFileLoggedModelOperations({ allExperiments, findExperiment });

  /** One run's points of a metric for sampling; a run that does not exist (or an id that could not name one) adds nothing, as in MLflow's SQL store. */
  const historyOf = async (runId: string, metricKey: string) => {
    const run = await findRun(runId).catch((error: unknown) => {
      const absent =
        CairnError.isInstance(error) &&
        (error.code === 'RESOURCE_DOES_NOT_EXIST' ||
          (error.code === 'INVALID_PARAMETER_VALUE' && error.details?.field === 'run_id'));
      if (absent) return undefined;
      throw error;
    });
    return run !== undefined && isSafeKey(metricKey) ? readMetricHistory(run.dir, metricKey) : [];
  };

  const setRunTag = async (run: LocatedRun, key: string, value: string) => {
    await writeKeyedFile(run.dir, 'tags', key, value);
    // The tag and the attribute are one name seen two ways, as in MLflow.
    if (key === systemTags.runName) {
      await updateRunMeta(run.info.run_id, (fresh) => ({ ...fresh.info, run_name: value }));
    }
  };

  return {
    specificationVersion: 'v1',
    // A batch spans several files (one per param, tag and metric key); it is validated whole before the
    // first write, but a process killed mid-batch can leave part of it stored.
    capabilities: {
      atomicBatches: false,
      concurrentWriters: true,
      searchPushdown: false,
      purgeExperiments: true,
    },

    ...createFilePurgeOperations(tree),
    ...createFileDatasetSearch(tree),

    async createExperiment(input) {
      await ensureReady();
      const name = validateExperimentName(input.name);
      const tags = (input.tags ?? []).map(validateExperimentTag);
      // As MLflow's stores do, a relative local location is made absolute against the working directory.
      const artifactLocation = input.artifactLocation
        ? validateArtifactLocation(resolveArtifactLocation(input.artifactLocation, process.cwd()))
        : input.artifactLocation;
      return withRootLock(async () => {
        if (await nameTaken(name))
          throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'name' });
        let id = createExperimentId();
        while ((await pathExists(join(root, id))) || (await pathExists(join(trash, id))))
          id = createExperimentId();
        const dir = join(root, id);
        const now = Date.now();
        // The experiment's folder is new, so the root is what must exist.
        for (const tag of tags) await writeKeyedFile(dir, 'tags', tag.key, tag.value, root);
        await writeExperiment(
          dir,
          {
            experiment_id: id,
            name,
            artifact_location: artifactLocation || `${tree.artifactRoot}/${id}`,
            lifecycle_stage: 'active',
            creation_time: now,
            last_update_time: now,
            tags: [],
          },
          root,
        );
        return id;
      });
    },

    async getExperiment(experimentId) {
      return (await findExperiment(experimentId)).experiment;
    },

    async getExperimentByName(name) {
      const matches = (await allExperiments()).filter(({ experiment }) => experiment.name === name);
      const found = matches.find(({ experiment }) => experiment.lifecycle_stage === 'active') ?? matches[0];
      return found?.experiment;
    },

    async searchExperiments(input) {
      const viewType = input.viewType ?? 'ACTIVE_ONLY';
      const candidates = (await allExperiments())
        .map(({ experiment }) => experiment)
        .filter((experiment) => matchesViewType(experiment.lifecycle_stage, viewType));
      return searchExperimentsInMemory(candidates, { ...input, scope: viewType });
    },

    async renameExperiment(experimentId, newName) {
      const name = validateExperimentName(newName);
      await ensureReady(); // before the root lock: creating Default takes it too
      await withRootLock(async () => {
        const { experiment, dir } = await findExperiment(experimentId);
        assertExperimentActive(experiment);
        if (await nameTaken(name, experimentId)) {
          throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'new_name' });
        }
        await writeExperiment(dir, { ...experiment, name, last_update_time: Date.now() });
      });
    },

    async deleteExperiment(experimentId) {
      await ensureReady(); // before the root lock: creating Default takes it too
      await withRootLock(async () => {
        const { experiment, dir } = await findExperiment(experimentId);
        if (experiment.lifecycle_stage === 'deleted') return;
        const now = Date.now();
        // Runs are marked first and the folder moves last: a crash in between leaves an experiment that is
        // still active with some runs deleted, never a deleted experiment with live runs.
        for (const run of await runsOf(dir)) {
          if (run.info.lifecycle_stage === 'active') {
            await writeRunInfo(run, { ...run.info, lifecycle_stage: 'deleted' }, now);
          }
        }
        await writeExperiment(dir, { ...experiment, lifecycle_stage: 'deleted', last_update_time: now });
        await mkdir(trash, { recursive: true });
        await rename(dir, join(trash, experimentId));
      });
    },

    async restoreExperiment(experimentId) {
      await ensureReady(); // before the root lock: creating Default takes it too
      await withRootLock(async () => {
        const { experiment, dir } = await findExperiment(experimentId);
        if (experiment.lifecycle_stage === 'active') return;
        const target = join(root, experimentId);
        if (await nameTaken(experiment.name, experimentId)) {
          throw alreadyExists(`Experiment(name=${experiment.name}) already exists.`, { field: 'name' });
        }
        await rename(dir, target);
        const deletedAt = experiment.last_update_time ?? 0;
        for (const run of await runsOf(target)) {
          // Runs deleted together with the experiment come back with it; runs deleted before stay deleted.
          if (run.info.lifecycle_stage === 'deleted' && (run.deletedTime ?? 0) >= deletedAt) {
            await writeRunInfo(run, { ...run.info, lifecycle_stage: 'active' });
          }
        }
        await writeExperiment(target, {
          ...experiment,
          lifecycle_stage: 'active',
          last_update_time: Date.now(),
        });
      });
    },

    async setExperimentTag(experimentId, tag: ExperimentTag) {
      const { experiment, dir } = await findExperiment(experimentId);
      assertExperimentActive(experiment);
      const valid = validateExperimentTag(tag);
      await writeKeyedFile(dir, 'tags', valid.key, valid.value);
    },

    async deleteExperimentTag(experimentId, key) {
      const { experiment, dir } = await findExperiment(experimentId);
      assertExperimentActive(experiment);
      if (!(await removeTagFile(join(dir, 'tags'), key))) {
        throw doesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`, {
          field: 'key',
        });
      }
    },

    async createRun(input) {
      const { experiment, dir: experimentDir } = await findExperiment(input.experimentId);
      assertExperimentActive(experiment);
      const validTags = (input.tags ?? []).map(validateRunTag);
      const { runName, tags } = resolveRunName(input.runName, validTags);
      const runId = createRunId();
      const dir = join(experimentDir, runId);
      const info: RunInfo = {
        run_id: runId,
        run_uuid: runId,
        run_name: runName,
        experiment_id: experiment.experiment_id,
        user_id: input.userId ?? '',
        status: 'RUNNING',
        start_time: input.startTime ?? Date.now(),
        artifact_uri: `${experiment.artifact_location}/${runId}/artifacts`,
        lifecycle_stage: 'active',
      };
      // MLflow only recognises a run folder that has metrics/, params/ and artifacts/ (a guard against
      // meta.yaml files planted inside artifacts), so they exist from the start, as MLflow makes them.
      // Not recursive: if the experiment's folder was just moved to .trash, this fails instead of
      // recreating it.
      const paths = runPaths(dir);
      for (const folder of [dir, paths.metrics, paths.params, paths.tags, join(dir, 'artifacts')]) {
        await mkdir(folder).catch((error: unknown) => {
          if (isMissing(error)) throw doesNotExist(`No Experiment with id=${input.experimentId} exists`);
          throw error;
        });
      }
      // Tags before meta.yaml: a run is visible once its meta.yaml exists, and then it is complete.
      for (const tag of tags) await writeKeyedFile(dir, 'tags', tag.key, tag.value);
      await writeYaml(runPaths(dir).meta, runMeta(info), dir);
      tree.rememberRun(runId, dir);
      return readRunData(info, dir, experimentDir);
    },

    async getRun(runId) {
      const run = await findRun(runId);
      return readRunData(run.info, run.dir, run.experimentDir);
    },

    async updateRun(input) {
      if (input.endTime !== undefined && (!Number.isInteger(input.endTime) || input.endTime < 0)) {
        throw invalidParameter(`Invalid end_time ${input.endTime}: it must be a non-negative integer`, {
          field: 'end_time',
        });
      }
      const runName =
        input.runName === undefined || input.runName === ''
          ? undefined
          : validateRunTag({ key: systemTags.runName, value: input.runName }).value;
      const located = await activeRun(input.runId);
      if (runName !== undefined) await writeKeyedFile(located.dir, 'tags', systemTags.runName, runName);
      return updateRunMeta(input.runId, (run) => {
        assertRunActive(run.info);
        const info = { ...run.info };
        if (input.status !== undefined) info.status = input.status;
        if (input.endTime !== undefined) info.end_time = input.endTime;
        if (runName !== undefined) info.run_name = runName;
        return info;
      });
    },

    async deleteRun(runId) {
      const located = await findRun(runId);
      await withDirectoryLock(located.dir, async () => {
        const run = await rereadRun(located);
        await writeRunInfo(run, { ...run.info, lifecycle_stage: 'deleted' }, Date.now());
      });
    },

    async restoreRun(runId) {
      const located = await findRun(runId);
      await withDirectoryLock(located.dir, async () => {
        const run = await rereadRun(located);
        await writeRunInfo(run, { ...run.info, lifecycle_stage: 'active' });
      });
    },

    async searchRuns(input) {
      await ensureReady();
      const viewType = input.runViewType ?? 'ACTIVE_ONLY';
      const wanted = [...new Set(input.experimentIds)];
      const candidates: Run[] = [];
      for (const experimentId of wanted) {
        let experimentDir: string;
        try {
          experimentDir = (await findExperiment(experimentId)).dir;
        } catch (error) {
          // MLflow's search over an unknown experiment id finds nothing rather than failing.
          if (error instanceof CairnError && error.code === 'RESOURCE_DOES_NOT_EXIST') continue;
          throw error;
        }
        const runs = (await runsOf(experimentDir)).filter((run) =>
          matchesViewType(run.info.lifecycle_stage, viewType),
        );
        candidates.push(
          ...(await Promise.all(runs.map((run) => readRunData(run.info, run.dir, experimentDir)))),
        );
      }
      const scope = JSON.stringify([[...wanted].sort(), viewType]);
      return searchRunsInMemory(candidates, { ...input, scope });
    },

    async logBatch(input) {
      const run = await activeRun(input.runId);
      // Everything is checked before the first write; see `capabilities.atomicBatches`.
      const batch = validateLogBatch({
        metrics: input.metrics ?? [],
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
      const paths = runPaths(run.dir);
      if (batch.params.length > 0) {
        // Check-then-write under the run's lock, so two processes cannot both "first" log one param.
        await withDirectoryLock(run.dir, async () => {
          const existing = new Map<string, string | undefined>();
          for (const param of batch.params) {
            existing.set(param.key, await readTextIfExists(join(paths.params, param.key)));
          }
          assertParamsUnchanged(run.info.run_id, batch.params, (key) => existing.get(key));
          for (const param of batch.params) {
            if (existing.get(param.key) === undefined)
              await writeKeyedFile(run.dir, 'params', param.key, param.value);
          }
        });
      }
      for (const tag of batch.tags) await setRunTag(run, tag.key, tag.value);
      const byKey = new Map<string, Metric[]>();
      for (const metric of batch.metrics) {
        const points = byKey.get(metric.key) ?? [];
        points.push(metric);
        byKey.set(metric.key, points);
      }
      await Promise.all(
        [...byKey].map(([key, points]) =>
          appendAtomic(join(paths.metrics, key), points.map(formatMetricLine).join(''), run.dir),
        ),
      );
      await loggedModels.recordMetrics(run.info.run_id, batch.metrics);
    },

    async deleteTag(runId, key) {
      const run = await activeRun(runId);
      if (!(await removeTagFile(runPaths(run.dir).tags, key))) {
        throw doesNotExist(`No tag with name: ${key} in run with id ${runId}`, { field: 'key' });
      }
    },

    async getMetricHistory(input) {
      const run = await findRun(input.runId);
      // The key names a file; one that is not a valid key cannot have been logged (and must not escape the run).
      const points = isSafeKey(input.metricKey) ? await readMetricHistory(run.dir, input.metricKey) : [];
      return pageMetricHistory(points, { ...input, scope: `${run.info.run_id}\u0000${input.metricKey}` });
    },

    async getMetricHistoryBulkInterval(input) {
      return sampleMetricHistoryBulkInterval(metricHistorySampleReaderFromPoints(historyOf), input);
    },

    async getMetricHistoryDownsampled(input) {
      return downsampleMetricHistory(metricHistoryDownsampleReaderFromPoints(historyOf), input);
    },

    async logInputs(input) {
      const run = await activeRun(input.runId);
      const datasets = validateDatasetInputs(input.datasets ?? []);
      for (const dataset of datasets)
        await writeDatasetInput(run.experimentDir, run.dir, run.info.run_id, dataset);
      for (const model of input.models ?? []) await writeModelInput(run.dir, run.info.run_id, model.model_id);
    },

    async logOutputs(input) {
      const run = await activeRun(input.runId);
      for (const model of input.models) await writeModelOutput(run.dir, run.info.run_id, model);
    },

    ...loggedModels.methods,

    async close() {
      tree.close();
    },
  };
}
