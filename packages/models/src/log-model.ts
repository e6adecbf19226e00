import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, invalidParameter, type LoggedModel, type ModelVersion } from '@cairn/core';
import type { JsModel } from './js-model-source.js';
import type { MLmodel } from './mlmodel.js';
import { uploadModelFiles } from './model-files.js';
import { type ModelStores, requireTracking } from './model-stores.js';
import { type SaveModelOptions, saveModel } from './save-model.js';

/** Options of {@link logModel}: what {@link saveModel} takes, and where the logged model goes. */
export interface LogModelOptions<TModel = JsModel>
  extends Omit<SaveModelOptions<TModel>, 'runId' | 'artifactPath' | 'modelId'> {
  /** The logged model's name (MLflow 3's `name`); default a generated one. */
  readonly name?: string;
  /** The run that produced the model: linked as its source and as the run's output (the fluent API passes the active run). */
  readonly runId?: string;
  /** The experiment, when there is no run; default the run's. */
  readonly experimentId?: string;
  /** Creates the registered model if missing and a version of it pointing at this logged model. */
  readonly registeredModelName?: string;
  /** The logged model's params and tags (the run's params are added to the params, as MLflow does). */
  readonly params?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** A free-form kind such as `Agent`. */
  readonly modelType?: string;
  /** The run step the model is an output of; default 0. */
  readonly step?: number;
}

/** What {@link logModel} logged (MLflow's `ModelInfo`). */
export interface ModelInfo {
  readonly modelId: string;
  /** `models:/<model_id>`, loadable with `loadModel`. */
  readonly modelUri: string;
  /** Where the model's files are. */
  readonly artifactUri: string;
  readonly runId: string | undefined;
  readonly mlmodel: MLmodel;
  readonly loggedModel: LoggedModel;
  /** The version created when `registeredModelName` was given. */
  readonly registeredModelVersion: ModelVersion | undefined;
}

async function registerVersion(
  stores: ModelStores,
  name: string,
  loggedModel: LoggedModel,
): Promise<ModelVersion> {
  const { registry } = stores;
  if (registry === undefined) {
    throw invalidParameter(`Cannot register '${name}': no model registry was given`, {
      field: 'registered_model_name',
    });
  }
  try {
    await registry.createRegisteredModel({ name });
  } catch (error) {
    if (!(CairnError.isInstance(error) && error.code === 'RESOURCE_ALREADY_EXISTS')) throw error;
  }
  // As MLflow 3's client: the version's source is the logged model's URI, with its id.
  return registry.createModelVersion({
    name,
    source: `models:/${loggedModel.info.model_id}`,
    modelId: loggedModel.info.model_id,
    storageLocation: loggedModel.info.artifact_uri,
  });
}

/**
 * Logs a model as MLflow 3's `log_model(name=...)` does: creates a logged model (its source the run, if
 * any), records it as the run's output, saves the model and uploads it to the logged model's artifact
 * location, and marks it READY (UPLOAD_FAILED, with the error passed on, when saving or uploading fails).
 * With `registeredModelName`, the registered model is created if missing and a version made from
 * `models:/<model_id>`.
 */
export async function logModel<TModel = JsModel>(
  stores: ModelStores,
  options: LogModelOptions<TModel>,
): Promise<ModelInfo> {
  const tracking = requireTracking(stores, 'logModel');
  const run = options.runId === undefined ? undefined : await tracking.getRun(options.runId);
  const experimentId = options.experimentId ?? run?.info.experiment_id;
  if (experimentId === undefined) {
    throw invalidParameter('logModel needs a runId or an experimentId', { field: 'experiment_id' });
  }
  if (options.registeredModelName !== undefined && stores.registry === undefined) {
    throw invalidParameter(`Cannot register '${options.registeredModelName}': no model registry was given`, {
      field: 'registered_model_name',
    });
  }
  const params = {
    ...(options.params ?? {}),
    ...Object.fromEntries((run?.data.params ?? []).map((p) => [p.key, p.value])),
  };
  const created = await tracking.createLoggedModel({
    experimentId,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.runId === undefined ? {} : { sourceRunId: options.runId }),
    ...(options.modelType === undefined ? {} : { modelType: options.modelType }),
    params: Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
    tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value: String(value) })),
  });
  const modelId = created.info.model_id;
  if (options.runId !== undefined) {
    await tracking.logOutputs({
      runId: options.runId,
      models: [{ model_id: modelId, step: options.step ?? 0 }],
    });
  }
  const staging = await mkdtemp(join(tmpdir(), 'cairn-log-model-'));
  let mlmodel: MLmodel;
  try {
    const {
      name: _name,
      registeredModelName: _registered,
      experimentId: _experiment,
      params: _params,
      tags: _tags,
      modelType: _type,
      step: _step,
      ...save
    } = options;
    mlmodel = await saveModel(join(staging, 'model'), {
      ...save,
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      artifactPath: created.info.artifact_uri,
      modelId,
      modelUuid: modelId,
    } as SaveModelOptions<TModel>);
    await uploadModelFiles(join(staging, 'model'), await stores.artifactStoreAt(created.info.artifact_uri));
  } catch (error) {
    await tracking
      .finalizeLoggedModel({ modelId, status: 'LOGGED_MODEL_UPLOAD_FAILED' })
      .catch(() => undefined);
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const loggedModel = await tracking.finalizeLoggedModel({ modelId, status: 'LOGGED_MODEL_READY' });
  const registeredModelVersion =
    options.registeredModelName === undefined
      ? undefined
      : await registerVersion(stores, options.registeredModelName, loggedModel);
  return {
    modelId,
    modelUri: `models:/${modelId}`,
    artifactUri: loggedModel.info.artifact_uri,
    runId: options.runId,
    mlmodel,
    loggedModel,
    registeredModelVersion,
  };
}
