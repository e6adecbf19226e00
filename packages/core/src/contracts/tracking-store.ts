import type { RunStatus, ViewType } from '../entities/enums.js';
import type {
  DatasetInput,
  DatasetSummary,
  Experiment,
  ExperimentTag,
  Metric,
  MetricWithRunId,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunInfo,
  RunTag,
} from '../entities/tracking.js';
import type { LoggedModelStore } from './logged-model-store.js';
import type { Page, PageRequest } from './page.js';

/** What a tracking store can do beyond the required surface. */
export interface TrackingStoreCapabilities {
  /** logBatch is all-or-nothing even if the process dies mid-write. */
  readonly atomicBatches: boolean;
  /** Several processes may write to the same store at once without losing data. */
  readonly concurrentWriters: boolean;
  /** Filters and ordering run inside the backend rather than in memory. */
  readonly searchPushdown: boolean;
  /**
   * `purgeExperiment` works. False for a store reached over MLflow's REST API, which has no such endpoint
   * (`mlflow gc` and `cairn gc` purge experiments against the backend store itself).
   */
  readonly purgeExperiments: boolean;
}

/** Arguments of {@link TrackingStore.createExperiment}. */
export interface CreateExperimentInput {
  name: string;
  /** Where the experiment's artifacts go; the store derives one from its artifact root when absent. */
  artifactLocation?: string;
  tags?: ExperimentTag[];
}

/** Arguments of {@link TrackingStore.searchExperiments}. */
export interface SearchExperimentsInput extends PageRequest {
  /** MLflow filter string over `name`, `creation_time`, `last_update_time` and `tags.<key>`. */
  filter?: string;
  /** Order clauses such as `name ASC`; default `creation_time DESC, experiment_id ASC`. */
  orderBy?: string[];
  /** Default `ACTIVE_ONLY`. */
  viewType?: ViewType;
}

/** Arguments of {@link TrackingStore.createRun}. */
export interface CreateRunInput {
  experimentId: string;
  /** Defaults to the `mlflow.runName` tag, else a generated `adjective-noun-NNN` name. */
  runName?: string;
  /** Milliseconds since the epoch; defaults to now. */
  startTime?: number;
  userId?: string;
  tags?: RunTag[];
}

/** Arguments of {@link TrackingStore.updateRun}. Only the fields present are changed. */
export interface UpdateRunInput {
  runId: string;
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** Arguments of {@link TrackingStore.searchRuns}. */
export interface SearchRunsInput extends PageRequest {
  experimentIds: string[];
  /** MLflow filter string, e.g. `metrics.acc > 0.9 AND params.lr = '0.1'`. */
  filter?: string;
  /** Order clauses such as `metrics.acc DESC`; the final tiebreak is `start_time DESC, run_id ASC`. */
  orderBy?: string[];
  /** Default `ACTIVE_ONLY`. */
  runViewType?: ViewType;
}

/** Arguments of {@link TrackingStore.listDeletedRuns}. */
export interface ListDeletedRunsInput {
  /** Only runs of these experiments (active or deleted); default every experiment. */
  experimentIds?: string[];
}

/** A run in the deleted lifecycle stage, as {@link TrackingStore.listDeletedRuns} reports it. */
export interface DeletedRun {
  /** The run's info (`lifecycle_stage` is `deleted`). */
  info: RunInfo;
  /**
   * When the run was deleted, in milliseconds since the epoch (MLflow's `deleted_time`); absent when the
   * store does not know, e.g. for a run deleted by an MLflow release that did not record it.
   */
  deletedTime?: number;
}

/** Arguments of {@link TrackingStore.logBatch}. Every list may be empty. */
export interface LogBatchInput {
  runId: string;
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/** Arguments of {@link TrackingStore.getMetricHistory}. */
export interface GetMetricHistoryInput extends PageRequest {
  runId: string;
  metricKey: string;
}

/** Arguments of {@link TrackingStore.getMetricHistoryBulkInterval}. */
export interface GetMetricHistoryBulkIntervalInput {
  /** 1 to 100 runs; unknown runs and runs without the metric add nothing. */
  runIds: readonly string[];
  metricKey: string;
  /** The step range, inclusive; give both or neither. Neither: steps 0 to the largest step logged. */
  startStep?: number;
  endStep?: number;
  /** How many distinct steps to sample, 1 to 2500 (default 2500). */
  maxResults?: number;
}

/** Arguments of {@link TrackingStore.getMetricHistoryDownsampled}. */
export interface GetMetricHistoryDownsampledInput {
  /** 1 to 100 runs; unknown runs and runs without the metric add nothing. */
  runIds: readonly string[];
  metricKey: string;
  /** The step range, inclusive; give both or neither. Neither: the smallest to the largest step the runs logged. */
  startStep?: number;
  endStep?: number;
  /** How many equal step intervals to split the range into, 1 to 5,000 (default 1,000). */
  buckets?: number;
}

/** Arguments of {@link TrackingStore.logInputs}. */
export interface LogInputsInput {
  runId: string;
  datasets?: DatasetInput[];
  models?: ModelInput[];
}

/** Arguments of {@link TrackingStore.logOutputs}. */
export interface LogOutputsInput {
  runId: string;
  models: ModelOutput[];
}

/** Arguments of {@link TrackingStore.searchDatasets}. */
export interface SearchDatasetsInput {
  /** The experiments whose runs' dataset inputs are summarised: 1 to 20 ids; unknown ids add nothing. */
  experimentIds: string[];
}

/**
 * The contract every tracking backend implements: experiments, runs, params, metrics with history, tags,
 * dataset inputs and search, with MLflow's semantics, and the MLflow 3 logged models of
 * {@link LoggedModelStore}. Every method fails with a `CairnError` carrying an MLflow error code. Prove an
 * implementation with `describeTrackingStore` from `@cairn/testkit`.
 */
export interface TrackingStore extends LoggedModelStore {
  /** The version of this contract the store implements. */
  readonly specificationVersion: 'v1';
  /** What the store supports beyond the required surface. */
  readonly capabilities: TrackingStoreCapabilities;

  /** Creates an experiment and returns its id; a name already used (also by a deleted experiment) fails with RESOURCE_ALREADY_EXISTS. */
  createExperiment(input: CreateExperimentInput): Promise<string>;
  /** Returns an experiment by id, active or deleted; RESOURCE_DOES_NOT_EXIST if unknown. */
  getExperiment(experimentId: string): Promise<Experiment>;
  /** Returns the experiment with this name (the active one first, else a deleted one), or undefined. */
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  /** Lists experiments matching a filter, in order, one page at a time. */
  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>>;
  /** Renames an experiment; the new name must be unused. */
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  /**
   * Soft-deletes an experiment and its active runs, stamping those runs' deletion time with now (runs
   * deleted before keep theirs). The Default experiment "0" can be deleted, as in MLflow.
   */
  deleteExperiment(experimentId: string): Promise<void>;
  /** Restores a soft-deleted experiment and the runs deleted with it. */
  restoreExperiment(experimentId: string): Promise<void>;
  /**
   * Removes a soft-deleted experiment for good with everything of it (runs, params, metrics, tags,
   * inputs, experiment tags, logged models), all or nothing (used by garbage collection; artifacts are the caller's).
   * RESOURCE_DOES_NOT_EXIST if unknown, INVALID_PARAMETER_VALUE if not deleted; NOT_IMPLEMENTED where
   * `capabilities.purgeExperiments` is false.
   */
  purgeExperiment(experimentId: string): Promise<void>;
  /** Sets (or overwrites) an experiment tag. */
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>;
  /** Deletes an experiment tag; RESOURCE_DOES_NOT_EXIST if absent. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  /** Creates a run in an active experiment, with a generated name when none is given. */
  createRun(input: CreateRunInput): Promise<Run>;
  /** Returns a run (active or deleted) with its latest metrics, params, tags and inputs. */
  getRun(runId: string): Promise<Run>;
  /** Changes a run's status, end time or name (also its `mlflow.runName` tag). */
  updateRun(input: UpdateRunInput): Promise<RunInfo>;
  /** Soft-deletes a run and records when (MLflow's `deleted_time`). */
  deleteRun(runId: string): Promise<void>;
  /** Restores a soft-deleted run and clears its deletion time. */
  restoreRun(runId: string): Promise<void>;
  /** Lists every run in the deleted lifecycle stage with its deletion time, in no particular order (for garbage collection). */
  listDeletedRuns(input?: ListDeletedRunsInput): Promise<DeletedRun[]>;
  /** Removes a soft-deleted run for good (used by garbage collection); the run must be deleted first. */
  purgeRun(runId: string): Promise<void>;
  /** Lists runs of the given experiments matching a filter, in order, one page at a time. */
  searchRuns(input: SearchRunsInput): Promise<Page<Run>>;
  /**
   * Logs metrics, params and tags to an active run: validated entirely first, then stored all or nothing.
   * A metric carrying the `model_id` of a known logged model is also recorded on that model.
   */
  logBatch(input: LogBatchInput): Promise<void>;
  /** Deletes a run tag; RESOURCE_DOES_NOT_EXIST if absent. */
  deleteTag(runId: string, key: string): Promise<void>;
  /** Returns every logged point of one metric, ordered by (timestamp, step, value), one page at a time. */
  getMetricHistory(input: GetMetricHistoryInput): Promise<Page<Metric>>;
  /**
   * One metric of several runs, sampled as MLflow's get-history-bulk-interval samples it: at most
   * `maxResults` distinct steps spread over the range, plus each run's first and last step, and every
   * point at those steps, run by run in the order asked, each run's ordered by (step, timestamp, value).
   * Implement it with core's `sampleMetricHistoryBulkInterval` over the store's own step queries.
   */
  getMetricHistoryBulkInterval(input: GetMetricHistoryBulkIntervalInput): Promise<MetricWithRunId[]>;
  /**
   * One metric of several runs for a chart, min/max-preserving: the step range split into equal buckets,
   * each run's lowest and highest point per bucket (NaN left out). Implement it with core's
   * `downsampleMetricHistory` over the store's own queries, so no history is read whole.
   */
  getMetricHistoryDownsampled(input: GetMetricHistoryDownsampledInput): Promise<MetricWithRunId[]>;
  /** Records datasets (and MLflow 3 models) a run used; the same dataset logged twice is stored once. */
  logInputs(input: LogInputsInput): Promise<void>;
  /** Records MLflow 3 logged models a run produced. */
  logOutputs(input: LogOutputsInput): Promise<void>;
  /**
   * Lists the distinct (experiment, dataset name, digest, context) of the dataset inputs logged by runs of
   * the given experiments, deleted runs included, at most 1000, in no particular order (MLflow's
   * `_search_datasets`). No ids, or more than 20, fail with INVALID_PARAMETER_VALUE.
   */
  searchDatasets(input: SearchDatasetsInput): Promise<DatasetSummary[]>;

  /** Releases connections, file handles and timers. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** A factory that opens a tracking store from options (a plugin's entry point). */
export type TrackingStoreFactory<Options> = (options: Options) => TrackingStore;
