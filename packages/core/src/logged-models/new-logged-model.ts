import type { CreateLoggedModelInput } from '../contracts/logged-model-store.js';
import type { LoggedModel } from '../entities/logged-model.js';
import type { Experiment } from '../entities/tracking.js';
import { createLoggedModelId } from '../ids.js';
import { generateRunName } from '../run-name.js';
import { joinArtifactUri } from '../uris.js';
import { assertExperimentActive } from '../write-guards.js';
import {
  validateLoggedModelName,
  validateLoggedModelParams,
  validateLoggedModelTags,
} from './logged-model-validation.js';

/** Where a logged model's files live: `<experiment artifact_location>/models/<model_id>/artifacts`. */
export function loggedModelArtifactLocation(experimentArtifactLocation: string, modelId: string): string {
  return joinArtifactUri(experimentArtifactLocation, 'models', modelId, 'artifacts');
}

/**
 * Validates a create request against its experiment and builds the new model (status PENDING, fresh
 * `m-<hex>` id, a generated name when none is given), so every store creates models the same way.
 */
export function newLoggedModel(
  input: CreateLoggedModelInput,
  experiment: Experiment,
  now = Date.now(),
): LoggedModel {
  const name = validateLoggedModelName(input.name) ?? generateRunName();
  const params = validateLoggedModelParams(input.params ?? []);
  const tags = validateLoggedModelTags(input.tags ?? []);
  assertExperimentActive(experiment);
  const modelId = createLoggedModelId();
  const info: LoggedModel['info'] = {
    model_id: modelId,
    experiment_id: experiment.experiment_id,
    name,
    creation_timestamp_ms: now,
    last_updated_timestamp_ms: now,
    artifact_uri: loggedModelArtifactLocation(experiment.artifact_location, modelId),
    status: 'LOGGED_MODEL_PENDING',
    tags,
  };
  if (input.modelType) info.model_type = input.modelType;
  if (input.sourceRunId) info.source_run_id = input.sourceRunId;
  return { info, data: { params, metrics: [] } };
}
