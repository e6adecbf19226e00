import {
  alreadyExists,
  assertExperimentActive,
  assertParamsUnchanged,
  assertRunActive,
  CairnError,
  type CreateExperimentInput,
  type CreateRunInput,
  createRunId,
  type DatasetInput,
  defaultExperiment,
  doesNotExist,
  downsampleMetricHistory,
  type Experiment,
  type ExperimentTag,
  type GetMetricHistoryInput,
  invalidParameter,
  isLaterMetric,
  type LogBatchInput,
  type LogInputsInput,
  type LogOutputsInput,
  type Metric,
  type ModelInput,
  type ModelOutput,
  matchesViewType,
  metricHistoryDownsampleReaderFromPoints,
  metricHistorySampleReaderFromPoints,
  type Page,
  pageMetricHistory,
  type Run,
  type RunInfo,
  resolveArtifactLocation,
  resolveRunName,
  type SearchDatasetsInput,
  type SearchExperimentsInput,
  type SearchRunsInput,
  sampleMetricHistoryBulkInterval,
  searchExperimentsInMemory,
  searchRunsInMemory,
  summariseDatasetInputs,
  systemTags,
  type TrackingStore,
  type UpdateRunInput,
  validateArtifactLocation,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateRunTag,
  validateSearchDatasetsInput,
} from '@cairn/core';
import { createMemoryLoggedModels } from './memory-logged-models.js';

/** Options of {@link createMemoryTrackingStore}. */
export interface MemoryTrackingStoreOptions {
  /** Where experiments' artifacts are said to live; default `memory://artifacts`. */
  artifactRoot?: string;
}

interface ExperimentRecord {
  experiment: Experiment;
  tags: Map<string, string>;
}

interface RunRecord {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** Every point of every metric, in logging order. */
  history: Map<string, Metric[]>;
  /** Per key, the identities of stored points (see {@link pointIdentity}). */
  seen: Map<string, Set<string>>;
  latest: Map<string, Metric>;
  datasetInputs: DatasetInput[];
  modelInputs: ModelInput[];
  modelOutputs: ModelOutput[];
  /** Set when the run was soft-deleted by deleting its experiment, so restoring the experiment restores it. */
  deletedWithExperiment: boolean;
  /** When the run was soft-deleted (MLflow's `deleted_time`). */
  deletedTime?: number;
}

/** What makes two points the same one (as core's isSameMetricPoint: -0 is 0, NaN is NaN). */
const pointIdentity = (point: Metric) =>
  `${point.timestamp} ${point.step} ${Object.is(point.value, -0) ? 0 : point.value}`;

const entries = (map: ReadonlyMap<string, string>) => [...map].map(([key, value]) => ({ key, value }));

function experimentView(record: ExperimentRecord): Experiment {
  return { ...record.experiment, tags: entries(record.tags) };
}

function runView(record: RunRecord): Run {
  return {
    info: { ...record.info },
    data: {
      metrics: [...record.latest.values()],
      params: entries(record.params),
      tags: entries(record.tags),
    },
    inputs: { dataset_inputs: structuredClone(record.datasetInputs), model_inputs: [...record.modelInputs] },
    outputs: { model_outputs: [...record.modelOutputs] },
  };
}

/**
 * A tracking store held in process memory: the reference implementation of the `TrackingStore` contract,
 * for tests and short-lived processes. Nothing survives the process; one store is one namespace.
 */
export function createMemoryTrackingStore(options: MemoryTrackingStoreOptions = {}): TrackingStore {
  const artifactRoot = (options.artifactRoot ?? 'memory://artifacts').replace(/\/+$/u, '');
  const experiments = new Map<string, ExperimentRecord>();
  const runs = new Map<string, RunRecord>();
  let nextExperimentId = 1;
  let closed = false;

  const open = () => {
    if (closed) throw new CairnError('INVALID_STATE', 'The memory tracking store is closed');
  };

  const addExperiment = (id: string, name: string, location: string, tags: ExperimentTag[]) => {
    const now = Date.now();
    experiments.set(id, {
      experiment: {
        experiment_id: id,
        name,
        artifact_location: location,
        lifecycle_stage: 'active',
        creation_time: now,
        last_update_time: now,
        tags: [],
      },
      tags: new Map(tags.map((tag) => [tag.key, tag.value])),
    });
  };
  addExperiment(defaultExperiment.id, defaultExperiment.name, `${artifactRoot}/${defaultExperiment.id}`, []);

  const findExperiment = (experimentId: string): ExperimentRecord => {
    open();
    const record = experiments.get(experimentId);
    if (record === undefined) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
    return record;
  };
  const findRun = (runId: string): RunRecord => {
    open();
    const record = runs.get(runId);
    if (record === undefined) throw doesNotExist(`Run with id=${runId} not found`);
    return record;
  };
  const activeRun = (runId: string): RunRecord => {
    const record = findRun(runId);
    assertRunActive(record.info);
    return record;
  };
  const nameTaken = (name: string, except?: string) =>
    [...experiments.values()].some(
      (r) => r.experiment.name === name && r.experiment.experiment_id !== except,
    );
  const touch = (record: ExperimentRecord) => {
    record.experiment.last_update_time = Math.max(Date.now(), record.experiment.creation_time ?? 0);
  };
  const setRunTag = (record: RunRecord, key: string, value: string) => {
    record.tags.set(key, value);
    // The tag and the attribute are one name seen two ways, as in MLflow.
    if (key === systemTags.runName) record.info.run_name = value;
  };

  const loggedModels = createMemoryLoggedModels({
    experiment: (experimentId) => findExperiment(experimentId).experiment,
    open,
  });

  const store: TrackingStore = {
    specificationVersion: 'v1',
    capabilities: {
      atomicBatches: true,
      concurrentWriters: false,
      searchPushdown: false,
      purgeExperiments: true,
    },

    async createExperiment(input: CreateExperimentInput) {
      open();
      const name = validateExperimentName(input.name);
      const tags = (input.tags ?? []).map(validateExperimentTag);
      // As MLflow's stores do, a relative local location is made absolute against the working directory.
      const artifactLocation = input.artifactLocation
        ? validateArtifactLocation(resolveArtifactLocation(input.artifactLocation, process.cwd()))
        : input.artifactLocation;
      if (nameTaken(name)) throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'name' });
      const id = String(nextExperimentId);
      nextExperimentId += 1;
      addExperiment(id, name, artifactLocation || `${artifactRoot}/${id}`, tags);
      return id;
    },

    async getExperiment(experimentId) {
      return experimentView(findExperiment(experimentId));
    },

    async getExperimentByName(name) {
      open();
      const matches = [...experiments.values()].filter((r) => r.experiment.name === name);
      const found = matches.find((r) => r.experiment.lifecycle_stage === 'active') ?? matches[0];
      return found === undefined ? undefined : experimentView(found);
    },

    async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
      open();
      const viewType = input.viewType ?? 'ACTIVE_ONLY';
      const candidates = [...experiments.values()]
        .filter((r) => matchesViewType(r.experiment.lifecycle_stage, viewType))
        .map(experimentView);
      return searchExperimentsInMemory(candidates, { ...input, scope: viewType });
    },

    async renameExperiment(experimentId, newName) {
      const record = findExperiment(experimentId);
      assertExperimentActive(record.experiment);
      const name = validateExperimentName(newName);
      if (nameTaken(name, experimentId)) {
        throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'new_name' });
      }
      record.experiment.name = name;
      touch(record);
    },

    async deleteExperiment(experimentId) {
      const record = findExperiment(experimentId);
      record.experiment.lifecycle_stage = 'deleted';
      touch(record);
      for (const run of runs.values()) {
        if (run.info.experiment_id !== experimentId || run.info.lifecycle_stage === 'deleted') continue;
        run.info.lifecycle_stage = 'deleted';
        run.deletedWithExperiment = true;
        run.deletedTime = record.experiment.last_update_time;
      }
    },

    async restoreExperiment(experimentId) {
      const record = findExperiment(experimentId);
      record.experiment.lifecycle_stage = 'active';
      touch(record);
      for (const run of runs.values()) {
        if (run.info.experiment_id !== experimentId || !run.deletedWithExperiment) continue;
        run.info.lifecycle_stage = 'active';
        run.deletedWithExperiment = false;
        delete run.deletedTime;
      }
    },

    async purgeExperiment(experimentId) {
      const record = findExperiment(experimentId);
      if (record.experiment.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Experiment ${experimentId} must be deleted before it is purged`, {
          field: 'experiment_id',
        });
      }
      for (const [runId, run] of runs) if (run.info.experiment_id === experimentId) runs.delete(runId);
      loggedModels.forgetExperiment(experimentId);
      experiments.delete(experimentId);
    },

    async setExperimentTag(experimentId, tag) {
      const record = findExperiment(experimentId);
      assertExperimentActive(record.experiment);
      const valid = validateExperimentTag(tag);
      record.tags.set(valid.key, valid.value);
    },

    async deleteExperimentTag(experimentId, key) {
      const record = findExperiment(experimentId);
      assertExperimentActive(record.experiment);
      if (!record.tags.delete(key)) {
        throw doesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`, {
          field: 'key',
        });
      }
    },

    async createRun(input: CreateRunInput) {
      const experiment = findExperiment(input.experimentId);
      assertExperimentActive(experiment.experiment);
      const validTags = (input.tags ?? []).map(validateRunTag);
      const { runName, tags } = resolveRunName(input.runName, validTags);
      const runId = createRunId();
      const record: RunRecord = {
        info: {
          run_id: runId,
          run_uuid: runId,
          run_name: runName,
          experiment_id: input.experimentId,
          user_id: input.userId ?? '',
          status: 'RUNNING',
          start_time: input.startTime ?? Date.now(),
          artifact_uri: `${experiment.experiment.artifact_location}/${runId}/artifacts`,
          lifecycle_stage: 'active',
        },
        params: new Map(),
        tags: new Map(),
        history: new Map(),
        seen: new Map(),
        latest: new Map(),
        datasetInputs: [],
        modelInputs: [],
        modelOutputs: [],
        deletedWithExperiment: false,
      };
      for (const tag of tags) setRunTag(record, tag.key, tag.value);
      runs.set(runId, record);
      return runView(record);
    },

    async getRun(runId) {
      return runView(findRun(runId));
    },

    async updateRun(input: UpdateRunInput) {
      const record = activeRun(input.runId);
      if (input.endTime !== undefined && (!Number.isInteger(input.endTime) || input.endTime < 0)) {
        throw invalidParameter(`Invalid end_time ${input.endTime}: it must be a non-negative integer`, {
          field: 'end_time',
        });
      }
      if (input.status !== undefined) record.info.status = input.status;
      if (input.endTime !== undefined) record.info.end_time = input.endTime;
      if (input.runName !== undefined && input.runName !== '') {
        setRunTag(
          record,
          systemTags.runName,
          validateRunTag({ key: systemTags.runName, value: input.runName }).value,
        );
      }
      return { ...record.info };
    },

    async deleteRun(runId) {
      const record = findRun(runId);
      record.info.lifecycle_stage = 'deleted';
      record.deletedWithExperiment = false;
      record.deletedTime = Date.now();
    },

    async restoreRun(runId) {
      const record = findRun(runId);
      record.info.lifecycle_stage = 'active';
      record.deletedWithExperiment = false;
      delete record.deletedTime;
    },

    async listDeletedRuns(input = {}) {
      open();
      const wanted = input.experimentIds === undefined ? undefined : new Set(input.experimentIds);
      return [...runs.values()]
        .filter((r) => r.info.lifecycle_stage === 'deleted' && (wanted?.has(r.info.experiment_id) ?? true))
        .map((r) =>
          r.deletedTime === undefined
            ? { info: { ...r.info } }
            : { info: { ...r.info }, deletedTime: r.deletedTime },
        );
    },

    async purgeRun(runId) {
      const record = findRun(runId);
      if (record.info.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Run ${runId} must be deleted before it is purged`, { field: 'run_id' });
      }
      runs.delete(runId);
    },

    async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
      open();
      const viewType = input.runViewType ?? 'ACTIVE_ONLY';
      const wanted = new Set(input.experimentIds);
      const candidates = [...runs.values()]
        .filter((r) => wanted.has(r.info.experiment_id) && matchesViewType(r.info.lifecycle_stage, viewType))
        .map(runView);
      const scope = JSON.stringify([[...wanted].sort(), viewType]);
      return searchRunsInMemory(candidates, { ...input, scope });
    },

    async logBatch(input: LogBatchInput) {
      const record = activeRun(input.runId);
      // Everything is checked before the first write, which is what makes the batch all-or-nothing.
      const batch = validateLogBatch({
        metrics: input.metrics ?? [],
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
      assertParamsUnchanged(input.runId, batch.params, (key) => record.params.get(key));
      for (const param of batch.params) record.params.set(param.key, param.value);
      for (const tag of batch.tags) setRunTag(record, tag.key, tag.value);
      for (const metric of batch.metrics) {
        const point: Metric = {
          key: metric.key,
          value: metric.value,
          timestamp: metric.timestamp,
          step: metric.step,
        };
        if (metric.dataset_name !== undefined) point.dataset_name = metric.dataset_name;
        if (metric.dataset_digest !== undefined) point.dataset_digest = metric.dataset_digest;
        if (metric.model_id !== undefined) point.model_id = metric.model_id;
        const history = record.history.get(point.key) ?? [];
        // Exact repeats (a retried batch) are stored once; a keyed set keeps this O(1) per point.
        const identity = pointIdentity(point);
        const seen = record.seen.get(point.key) ?? new Set<string>();
        if (seen.has(identity)) continue;
        seen.add(identity);
        record.seen.set(point.key, seen);
        history.push(point);
        record.history.set(point.key, history);
        const current = record.latest.get(point.key);
        if (current === undefined || isLaterMetric(point, current)) record.latest.set(point.key, point);
      }
      loggedModels.recordMetrics(input.runId, record.info.experiment_id, batch.metrics);
    },

    async deleteTag(runId, key) {
      const record = activeRun(runId);
      if (!record.tags.delete(key)) {
        throw doesNotExist(`No tag with name: ${key} in run with id ${runId}`, { field: 'key' });
      }
    },

    async getMetricHistory(input: GetMetricHistoryInput) {
      const record = findRun(input.runId);
      const points = (record.history.get(input.metricKey) ?? []).map((point) => ({ ...point }));
      return pageMetricHistory(points, { ...input, scope: `${input.runId}\u0000${input.metricKey}` });
    },

    async getMetricHistoryBulkInterval(input) {
      // Unknown runs add nothing, as in MLflow's SQL store.
      const reader = metricHistorySampleReaderFromPoints(
        async (runId, metricKey) => runs.get(runId)?.history.get(metricKey) ?? [],
      );
      return sampleMetricHistoryBulkInterval(reader, input);
    },

    async getMetricHistoryDownsampled(input) {
      const reader = metricHistoryDownsampleReaderFromPoints(
        async (runId, metricKey) => runs.get(runId)?.history.get(metricKey) ?? [],
      );
      return downsampleMetricHistory(reader, input);
    },

    async logInputs(input: LogInputsInput) {
      const record = activeRun(input.runId);
      const datasets = validateDatasetInputs(input.datasets ?? []);
      for (const dataset of datasets) {
        const known = record.datasetInputs.some(
          (existing) =>
            existing.dataset.name === dataset.dataset.name &&
            existing.dataset.digest === dataset.dataset.digest,
        );
        if (!known) record.datasetInputs.push(structuredClone(dataset));
      }
      for (const model of input.models ?? []) {
        if (!record.modelInputs.some((existing) => existing.model_id === model.model_id)) {
          record.modelInputs.push({ model_id: model.model_id });
        }
      }
    },

    async logOutputs(input: LogOutputsInput) {
      const record = activeRun(input.runId);
      for (const model of input.models) {
        const known = record.modelOutputs.some(
          (existing) => existing.model_id === model.model_id && existing.step === model.step,
        );
        if (!known) record.modelOutputs.push({ model_id: model.model_id, step: model.step });
      }
    },

    async searchDatasets(input: SearchDatasetsInput) {
      open();
      const wanted = new Set(validateSearchDatasetsInput(input));
      const used = [...runs.values()].filter((record) => wanted.has(record.info.experiment_id));
      return summariseDatasetInputs(
        used.map((record) => ({
          experimentId: record.info.experiment_id,
          datasetInputs: record.datasetInputs,
        })),
      );
    },

    ...loggedModels.methods,

    async close() {
      closed = true;
      experiments.clear();
      runs.clear();
      loggedModels.clear();
    },
  };
  return store;
}
