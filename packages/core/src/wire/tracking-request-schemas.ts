import { z } from 'zod';
import { runStatusNumber, viewTypeNumber } from '../entities/enums.js';
import { wireDouble, wireEnum, wireInt64, wireKeyValue, wireRepeated, wireString } from './wire-types.js';

// Request bodies of MLflow's tracking RPCs (mlflow/protos/service.proto), snake_case as on the wire.
// Unknown fields are ignored, as protobuf's JSON parser ignores them for MLflow's server.

/** Every request that names a run accepts `run_id` or its legacy twin `run_uuid`. */
const runRef = { run_id: wireString().optional(), run_uuid: wireString().optional() };

/** A metric point as MLflow's JSON carries it, in requests (log-batch) and answers (runs, histories). */
export const metricBody = z.object({
  key: z.string(),
  value: wireDouble(),
  timestamp: wireInt64(),
  step: wireInt64().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
});

const datasetInputBody = z.object({
  tags: z.array(wireKeyValue()).optional(),
  dataset: z.object({
    name: z.string(),
    digest: z.string(),
    source_type: z.string(),
    source: z.string(),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});

export const createExperimentRequest = z.object({
  name: wireString(),
  artifact_location: wireString().optional(),
  tags: wireRepeated(wireKeyValue()).optional(),
});
export const experimentIdRequest = z.object({ experiment_id: wireString() });
export const getExperimentByNameRequest = z.object({ experiment_name: wireString() });
export const searchExperimentsRequest = z.object({
  max_results: wireInt64().optional(),
  page_token: wireString().optional(),
  filter: wireString().optional(),
  order_by: wireRepeated(z.string()).optional(),
  view_type: wireEnum(viewTypeNumber).optional(),
});
export const searchDatasetsRequest = z.object({ experiment_ids: wireRepeated(z.string()).optional() });
export const updateExperimentRequest = z.object({ experiment_id: wireString(), new_name: wireString() });
export const setExperimentTagRequest = z.object({
  experiment_id: wireString(),
  key: wireString(),
  value: wireString().optional(),
});
export const deleteExperimentTagRequest = z.object({ experiment_id: wireString(), key: wireString() });

export const createRunRequest = z.object({
  experiment_id: wireString().optional(),
  user_id: wireString().optional(),
  run_name: wireString().optional(),
  start_time: wireInt64().optional(),
  tags: wireRepeated(wireKeyValue()).optional(),
});
export const runIdRequest = z.object(runRef);
export const updateRunRequest = z.object({
  ...runRef,
  status: wireEnum(runStatusNumber).optional(),
  end_time: wireInt64().optional(),
  run_name: wireString().optional(),
});
/** Cairn's `cairn/runs/list-deleted` (what `cairn gc` reads; MLflow has no REST equivalent). */
export const listDeletedRunsRequest = z.object({ experiment_ids: wireRepeated(z.string()).optional() });
export const searchRunsRequest = z.object({
  experiment_ids: wireRepeated(z.string()).optional(),
  filter: wireString().optional(),
  run_view_type: wireEnum(viewTypeNumber).optional(),
  max_results: wireInt64().optional(),
  order_by: wireRepeated(z.string()).optional(),
  page_token: wireString().optional(),
});
export const logMetricRequest = z.object({
  ...runRef,
  key: wireString(),
  value: wireDouble(),
  timestamp: wireInt64(),
  step: wireInt64().optional(),
  model_id: wireString().optional(),
  dataset_name: wireString().optional(),
  dataset_digest: wireString().optional(),
});
export const logParamRequest = z.object({ ...runRef, key: wireString(), value: wireString().optional() });
export const setTagRequest = z.object({ ...runRef, key: wireString(), value: wireString().optional() });
export const deleteTagRequest = z.object({ ...runRef, key: wireString() });
export const logBatchRequest = z.object({
  ...runRef,
  metrics: z.array(metricBody).optional(),
  params: z.array(wireKeyValue()).optional(),
  tags: z.array(wireKeyValue()).optional(),
});
export const logModelRequest = z.object({ ...runRef, model_json: wireString() });
export const logInputsRequest = z.object({
  ...runRef,
  datasets: z.array(datasetInputBody).optional(),
  models: z.array(z.object({ model_id: z.string() })).optional(),
});
export const logOutputsRequest = z.object({
  ...runRef,
  models: z.array(z.object({ model_id: z.string(), step: wireInt64() })),
});
export const getMetricHistoryRequest = z.object({
  ...runRef,
  metric_key: wireString(),
  page_token: wireString().optional(),
  max_results: wireInt64().optional(),
});
/** The UI's get-history-bulk: MLflow checks it in its handler (not the proto), so every field is optional here. */
export const getMetricHistoryBulkRequest = z.object({
  run_id: wireRepeated(z.string()).optional(),
  metric_key: wireString().optional(),
  max_results: wireInt64().optional(),
});
export const getMetricHistoryBulkIntervalRequest = z.object({
  run_ids: wireRepeated(z.string()),
  metric_key: wireString(),
  start_step: wireInt64().optional(),
  end_step: wireInt64().optional(),
  max_results: wireInt64().optional(),
});
/** Cairn's get-history-downsampled (for charts): run_ids and metric_key as in get-history-bulk-interval. */
export const getMetricHistoryDownsampledRequest = z.object({
  run_ids: wireRepeated(z.string()),
  metric_key: wireString(),
  start_step: wireInt64().optional(),
  end_step: wireInt64().optional(),
  buckets: wireInt64().optional(),
});
export const listArtifactsRequest = z.object({
  ...runRef,
  path: wireString().optional(),
  page_token: wireString().optional(),
});
export const listProxiedArtifactsRequest = z.object({ path: wireString().optional() });
export const createMultipartUploadRequest = z.object({
  path: wireString(),
  num_parts: wireInt64().optional(),
});
export const completeMultipartUploadRequest = z.object({
  path: wireString(),
  upload_id: wireString(),
  parts: z.array(z.object({ part_number: wireInt64(), etag: z.string(), url: z.string().optional() })),
});
export const abortMultipartUploadRequest = z.object({ path: wireString(), upload_id: wireString() });
