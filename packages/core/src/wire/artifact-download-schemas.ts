import { z } from 'zod';
import { wireString } from './wire-types.js';

// Query strings of the download routes MLflow's UI calls (mlflow/server/__init__.py): not protobuf RPCs, but
// read as MLflow's handlers read `request.args`.

/** `GET /get-artifact`: a run's file, by `run_id` (or `run_uuid`) and a run-relative `path`. */
export const getRunArtifactRequest = z.object({
  run_id: wireString().optional(),
  run_uuid: wireString().optional(),
  path: wireString(),
});

/** `GET /model-versions/get-artifact`: a file of a model version, by model `name`, `version` and `path`. */
export const getModelVersionArtifactRequest = z.object({
  name: wireString(),
  version: wireString(),
  path: wireString(),
});

/** `GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files`: one file of a logged model. */
export const getLoggedModelArtifactRequest = z.object({
  artifact_file_path: wireString().optional(),
});
