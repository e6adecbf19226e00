import { z } from 'zod';
import { loggedModelStatusNumber } from '../entities/enums.js';
import { wireBool, wireEnum, wireInt64, wireKeyValue, wireRepeated, wireString } from './wire-types.js';

/** `POST /mlflow/logged-models` (CreateLoggedModel). */
export const createLoggedModelRequest = z.object({
  experiment_id: wireString(),
  name: wireString().optional(),
  model_type: wireString().optional(),
  source_run_id: wireString().optional(),
  params: z.array(wireKeyValue()).optional(),
  tags: z.array(wireKeyValue()).optional(),
});

/** `GET /mlflow/logged-models/{model_id}` (GetLoggedModel); `allow_deleted` is a query flag MLflow's handler reads. */
export const getLoggedModelRequest = z.object({
  model_id: wireString().optional(),
  allow_deleted: wireBool().optional(),
});

/** `PATCH /mlflow/logged-models/{model_id}` (FinalizeLoggedModel). The path's id wins over the body's. */
export const finalizeLoggedModelRequest = z.object({
  model_id: wireString().optional(),
  status: wireEnum(loggedModelStatusNumber),
});

/** Requests that name nothing but the model (also in the path): DeleteLoggedModel, DeleteLoggedModelTag. */
export const loggedModelIdRequest = z.object({ model_id: wireString().optional() });

/** `PATCH /mlflow/logged-models/{model_id}/tags` (SetLoggedModelTags). */
export const setLoggedModelTagsRequest = z.object({
  model_id: wireString().optional(),
  tags: z.array(wireKeyValue()).optional(),
});

/** `POST /mlflow/logged-models/{model_id}/params` (LogLoggedModelParamsRequest). */
export const logLoggedModelParamsRequest = z.object({
  model_id: wireString().optional(),
  params: z.array(wireKeyValue()).optional(),
});

/** `POST /mlflow/logged-models/search` (SearchLoggedModels). */
export const searchLoggedModelsRequest = z.object({
  experiment_ids: wireRepeated(z.string()),
  filter: wireString().optional(),
  datasets: z.array(z.object({ dataset_name: z.string(), dataset_digest: z.string().optional() })).optional(),
  max_results: wireInt64().optional(),
  order_by: z
    .array(
      z.object({
        field_name: z.string(),
        ascending: wireBool().optional(),
        dataset_name: z.string().optional(),
        dataset_digest: z.string().optional(),
      }),
    )
    .optional(),
  page_token: wireString().optional(),
});

/** `GET /mlflow/logged-models/{model_id}/artifacts/directories` (ListLoggedModelArtifacts). */
export const listLoggedModelArtifactsRequest = z.object({
  artifact_directory_path: wireString().optional(),
  page_token: wireString().optional(),
});
