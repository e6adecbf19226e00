import { z } from 'zod';
import { wireBool, wireInt64, wireKeyValue, wireRepeated, wireString } from './wire-types.js';

// Request bodies of MLflow's model-registry RPCs (mlflow/protos/model_registry.proto), snake_case as on
// the wire. Required fields are checked by the stores, which name the field as MLflow's handlers do.

/** A version is a string in the proto; a number is accepted too, as protobuf's JSON parser coerces it. */
const wireVersion = () =>
  z.preprocess(
    (value) => (Array.isArray(value) ? value[0] : typeof value === 'number' ? String(value) : value),
    z.string(),
  );

const name = { name: wireString() };
const version = { name: wireString(), version: wireVersion() };

export const createRegisteredModelRequest = z.object({
  ...name,
  tags: wireRepeated(wireKeyValue()).optional(),
  description: wireString().optional(),
  deployment_job_id: wireString().optional(),
});
export const renameRegisteredModelRequest = z.object({ ...name, new_name: wireString() });
export const updateRegisteredModelRequest = z.object({
  ...name,
  description: wireString().optional(),
  deployment_job_id: wireString().optional(),
});
export const registeredModelNameRequest = z.object(name);
export const searchRegistryRequest = z.object({
  filter: wireString().optional(),
  max_results: wireInt64().optional(),
  order_by: wireRepeated(z.string()).optional(),
  page_token: wireString().optional(),
});
export const getLatestVersionsRequest = z.object({ ...name, stages: wireRepeated(z.string()).optional() });
export const setRegisteredModelTagRequest = z.object({ ...name, key: wireString(), value: wireString() });
export const deleteRegisteredModelTagRequest = z.object({ ...name, key: wireString() });
export const setAliasRequest = z.object({ ...name, alias: wireString(), version: wireVersion() });
export const aliasRequest = z.object({ ...name, alias: wireString() });

export const createModelVersionRequest = z.object({
  ...name,
  source: wireString(),
  run_id: wireString().optional(),
  tags: wireRepeated(wireKeyValue()).optional(),
  run_link: wireString().optional(),
  description: wireString().optional(),
  model_id: wireString().optional(),
});
export const updateModelVersionRequest = z.object({ ...version, description: wireString().optional() });
export const transitionStageRequest = z.object({
  ...version,
  stage: wireString(),
  archive_existing_versions: wireBool().optional(),
});
export const modelVersionRequest = z.object(version);
export const setModelVersionTagRequest = z.object({ ...version, key: wireString(), value: wireString() });
export const deleteModelVersionTagRequest = z.object({ ...version, key: wireString() });
