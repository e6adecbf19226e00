import type { LoggedModelStatus } from '../entities/enums.js';
import type { LoggedModel, LoggedModelParameter, LoggedModelTag } from '../entities/logged-model.js';
import type { Page, PageRequest } from './page.js';

/** Arguments of {@link LoggedModelStore.createLoggedModel}. */
export interface CreateLoggedModelInput {
  experimentId: string;
  /** Defaults to a generated `adjective-noun-NNN` name; must not contain `/ : . % " '`. */
  name?: string;
  /** The run that produced the model. */
  sourceRunId?: string;
  /** A free-form kind such as `Agent`. */
  modelType?: string;
  params?: LoggedModelParameter[];
  tags?: LoggedModelTag[];
}

/** Arguments of {@link LoggedModelStore.getLoggedModel}. */
export interface GetLoggedModelOptions {
  /** Also return a deleted model (MLflow's `allow_deleted`); default false. */
  allowDeleted?: boolean;
}

/** A dataset a logged-model search scopes its metrics to (MLflow's `SearchLoggedModels.Dataset`). */
export interface LoggedModelDatasetFilter {
  datasetName: string;
  /** When absent, any digest of the named dataset matches. */
  datasetDigest?: string;
}

/** One ordering clause of {@link LoggedModelStore.searchLoggedModels} (MLflow's `SearchLoggedModels.OrderBy`). */
export interface LoggedModelOrderBy {
  /** An attribute (`name`, `creation_timestamp`, ...) or `metrics.<key>`. */
  fieldName: string;
  /** Default true. */
  ascending?: boolean;
  /** Only metrics logged against this dataset count (for `metrics.<key>`). */
  datasetName?: string;
  datasetDigest?: string;
}

/** Arguments of {@link LoggedModelStore.searchLoggedModels}. */
export interface SearchLoggedModelsInput extends PageRequest {
  experimentIds: string[];
  /**
   * MLflow filter string over attributes (`name`, `model_id`, `model_type`, `status`, `source_run_id`,
   * `creation_timestamp`, `last_updated_timestamp`), `metrics.<key>`, `params.<key>` and `tags.<key>`.
   * `status` compares against `PENDING`, `READY`, `FAILED` or `UNSPECIFIED`.
   */
  filter?: string;
  /** Metrics count only when logged against one of these datasets; a model without such metrics is left out. */
  datasets?: LoggedModelDatasetFilter[];
  /** Default `creation_timestamp DESC`; `model_id ASC` always breaks ties. */
  orderBy?: LoggedModelOrderBy[];
}

/** Arguments of {@link LoggedModelStore.finalizeLoggedModel}. */
export interface FinalizeLoggedModelInput {
  modelId: string;
  /** `LOGGED_MODEL_READY` once the files are uploaded, `LOGGED_MODEL_UPLOAD_FAILED` otherwise. */
  status: LoggedModelStatus;
}

/**
 * MLflow 3 logged models: a model a run (or nothing) produced, with its params, tags and the metrics logged
 * against it, kept in an experiment next to its runs. Every `TrackingStore` is one (MLflow keeps them
 * in the tracking store too); a store may build these methods in a module of its own and spread them in.
 * Every method fails with a `CairnError` carrying an MLflow error code; `describeTrackingStore`'s
 * `logged-models` suite proves an implementation.
 */
export interface LoggedModelStore {
  /** Creates a logged model (`LOGGED_MODEL_PENDING`) in an active experiment, its files at `<experiment artifact_location>/models/<model_id>/artifacts`. */
  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel>;
  /** Returns a logged model with its tags, params and metrics; RESOURCE_DOES_NOT_EXIST if unknown (or deleted). */
  getLoggedModel(modelId: string, options?: GetLoggedModelOptions): Promise<LoggedModel>;
  /** Sets a logged model's final status (READY or UPLOAD_FAILED) and returns it. */
  finalizeLoggedModel(input: FinalizeLoggedModelInput): Promise<LoggedModel>;
  /** Soft-deletes a logged model: it disappears from get and search; its files are left to garbage collection. */
  deleteLoggedModel(modelId: string): Promise<void>;
  /** Lists the active logged models of the given experiments matching a filter, in order, one page at a time. */
  searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>>;
  /** Sets (or overwrites) tags on a logged model; a key repeated in one call keeps its last value. */
  setLoggedModelTags(modelId: string, tags: LoggedModelTag[]): Promise<void>;
  /** Deletes a logged-model tag; RESOURCE_DOES_NOT_EXIST if the model or the tag is absent. */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  /** Adds params to a logged model; re-logging a key overwrites its value, as MLflow's stores do. */
  logLoggedModelParams(modelId: string, params: LoggedModelParameter[]): Promise<void>;
}
