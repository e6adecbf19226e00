import { z } from 'zod';
import { modelVersionStatusSchema } from '../entities/enums.js';
import type { ModelVersion, RegisteredModel } from '../entities/registry.js';
import { wireInt64, wireKeyValue, wireList } from './wire-types.js';

// Response bodies of MLflow's model-registry RPCs (mlflow/protos/model_registry.proto) as a client reads
// them: omitted lists read as [], int64 timestamps may be strings, unknown fields are dropped.

/** A version number: a string in the proto, which some servers write as a number. */
const wireVersionNumber = z.union([z.string(), z.number().int()]).transform(String);

export const wireModelVersion = z
  .object({
    name: z.string(),
    version: wireVersionNumber,
    creation_timestamp: wireInt64().optional(),
    last_updated_timestamp: wireInt64().optional(),
    user_id: z.string().optional(),
    current_stage: z.string().optional(),
    description: z.string().optional(),
    source: z.string().optional(),
    run_id: z.string().optional(),
    status: modelVersionStatusSchema.optional(),
    status_message: z.string().optional(),
    tags: wireList(wireKeyValue()),
    run_link: z.string().optional(),
    aliases: wireList(z.string()),
    model_id: z.string().optional(),
  })
  .transform(
    ({ creation_timestamp, current_stage, source, status, ...version }): ModelVersion => ({
      ...version,
      creation_timestamp: creation_timestamp ?? 0,
      current_stage: current_stage ?? 'None',
      source: source ?? '',
      status: status ?? 'READY',
    }),
  );

export const wireRegisteredModel = z
  .object({
    name: z.string(),
    creation_timestamp: wireInt64().optional(),
    last_updated_timestamp: wireInt64().optional(),
    user_id: z.string().optional(),
    description: z.string().optional(),
    latest_versions: wireList(wireModelVersion),
    tags: wireList(wireKeyValue()),
    aliases: wireList(z.object({ alias: z.string(), version: wireVersionNumber })),
    deployment_job_id: z.string().optional(),
  })
  .transform(
    ({ creation_timestamp, ...model }): RegisteredModel => ({
      ...model,
      creation_timestamp: creation_timestamp ?? 0,
    }),
  );

const pageToken = { next_page_token: z.string().optional() };

/** `registered-models/create|get|rename|update`. */
export const registeredModelResponse = z.object({ registered_model: wireRegisteredModel });
/** `registered-models/search`. */
export const searchRegisteredModelsResponse = z.object({
  registered_models: wireList(wireRegisteredModel),
  ...pageToken,
});
/** `model-versions/create|get|update|transition-stage`, `registered-models/alias` (GET). */
export const modelVersionResponse = z.object({ model_version: wireModelVersion });
/** `model-versions/search`, `registered-models/get-latest-versions`. */
export const modelVersionsResponse = z.object({ model_versions: wireList(wireModelVersion), ...pageToken });
/** `model-versions/get-download-uri`. */
export const getModelVersionDownloadUriResponse = z.object({ artifact_uri: z.string() });
