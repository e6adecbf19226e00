import { createTracking, type Tracking } from './tracking.js';

/**
 * The process-wide fluent API instance behind the module-level functions (`startRun`, `logMetric`, ...),
 * like MLflow's `mlflow.*`. Created on first use, so importing the package has no side effects.
 */
let instance: Tracking | undefined;
const tracking = (): Tracking => {
  instance ??= createTracking();
  return instance;
};

/** Points the fluent API at a tracking URI (MLflow's `mlflow.set_tracking_uri`). */
export const setTrackingUri: Tracking['setTrackingUri'] = (uri) => tracking().setTrackingUri(uri);
/** The tracking URI the fluent API uses. */
export const getTrackingUri: Tracking['getTrackingUri'] = () => tracking().getTrackingUri();
/** Makes an experiment active, creating it by name if needed (`mlflow.set_experiment`). */
export const setExperiment: Tracking['setExperiment'] = (target) => tracking().setExperiment(target);
/** Starts a run (`mlflow.start_run`); `await using run = await startRun()` ends it with the scope. */
export const startRun: Tracking['startRun'] = (options) => tracking().startRun(options);
/** The innermost active run (`mlflow.active_run`). */
export const activeRun: Tracking['activeRun'] = () => tracking().activeRun();
/** Ends the active run after flushing its metrics (`mlflow.end_run`). */
export const endRun: Tracking['endRun'] = (status) => tracking().endRun(status);
/** Runs a function inside a run that always ends: FINISHED, or FAILED if the function throws. */
export const withRun: Tracking['withRun'] = (options, body) => tracking().withRun(options, body);
/** Logs a param to the active run. */
export const logParam: Tracking['logParam'] = (key, value) => tracking().logParam(key, value);
/** Logs several params to the active run. */
export const logParams: Tracking['logParams'] = (params) => tracking().logParams(params);
/** Queues a metric point for the active run without waiting on I/O. */
export const logMetric: Tracking['logMetric'] = (key, value, options) =>
  tracking().logMetric(key, value, options);
/** Queues several metric points for the active run. */
export const logMetrics: Tracking['logMetrics'] = (metrics, options) =>
  tracking().logMetrics(metrics, options);
/** Sets a tag on the active run. */
export const setTag: Tracking['setTag'] = (key, value) => tracking().setTag(key, value);
/** Sets several tags on the active run. */
export const setTags: Tracking['setTags'] = (tags) => tracking().setTags(tags);
/** Uploads a local file into the active run's artifacts. */
export const logArtifact: Tracking['logArtifact'] = (localPath, artifactPath) =>
  tracking().logArtifact(localPath, artifactPath);
/** Uploads a local directory into the active run's artifacts. */
export const logArtifacts: Tracking['logArtifacts'] = (localDir, artifactPath) =>
  tracking().logArtifacts(localDir, artifactPath);
/** Stores text as an artifact of the active run. */
export const logText: Tracking['logText'] = (text, artifactFile) => tracking().logText(text, artifactFile);
/** Stores a value as a JSON or YAML artifact of the active run. */
export const logDict: Tracking['logDict'] = (value, artifactFile) => tracking().logDict(value, artifactFile);
/** Logs a model to the active run (or the active experiment without one) — MLflow's `log_model`. */
export const logModel: Tracking['logModel'] = (options) => tracking().logModel(options);
/** Loads a model by path or URI (`runs:/`, `models:/`...) through the tracking URI's stores. */
export const loadModel: Tracking['loadModel'] = (modelUri, options) =>
  tracking().loadModel(modelUri, options);
/** Saves a model into a new local directory. */
export const saveModel: Tracking['saveModel'] = (path, options) => tracking().saveModel(path, options);
/** Writes every queued metric point now. */
export const flush: Tracking['flush'] = () => tracking().flush();
