import { z } from 'zod';
import { lifecycleStageSchema, runStatusSchema } from './enums.js';

/** A key/value tag on an experiment. */
export const experimentTagSchema = z.object({ key: z.string(), value: z.string() });
export type ExperimentTag = z.infer<typeof experimentTagSchema>;

/** An experiment: a named group of runs. Ids are decimal strings; "0" is the Default experiment. */
export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: lifecycleStageSchema,
  creation_time: z.number().int().optional(),
  last_update_time: z.number().int().optional(),
  tags: z.array(experimentTagSchema),
});
export type Experiment = z.infer<typeof experimentSchema>;

/** A metric point. `value` may be NaN or +/-Infinity. */
export const metricSchema = z.object({
  key: z.string(),
  value: z.number(),
  timestamp: z.number().int(),
  step: z.number().int(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
});
export type Metric = z.infer<typeof metricSchema>;

/** A metric point with the run it belongs to (MLflow's `MetricWithRunId`, what the bulk history RPCs answer). */
export const metricWithRunIdSchema = z.object({
  key: z.string(),
  value: z.number(),
  timestamp: z.number().int(),
  step: z.number().int(),
  run_id: z.string(),
});
export type MetricWithRunId = z.infer<typeof metricWithRunIdSchema>;

/** A run parameter. Once logged, its value cannot change. */
export const paramSchema = z.object({ key: z.string(), value: z.string() });
export type Param = z.infer<typeof paramSchema>;

/** A run tag. Tags may be overwritten. */
export const runTagSchema = z.object({ key: z.string(), value: z.string() });
export type RunTag = z.infer<typeof runTagSchema>;

/** Metadata of a run. `run_uuid` is kept beside `run_id` as MLflow's wire format does. */
export const runInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  user_id: z.string(),
  status: runStatusSchema,
  start_time: z.number().int(),
  end_time: z.number().int().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: lifecycleStageSchema,
});
export type RunInfo = z.infer<typeof runInfoSchema>;

/** The data of a run: latest metric per key, params and tags. */
export const runDataSchema = z.object({
  metrics: z.array(metricSchema),
  params: z.array(paramSchema),
  tags: z.array(runTagSchema),
});
export type RunData = z.infer<typeof runDataSchema>;

/** A dataset a run used. `source` is a JSON string describing where it lives. */
export const datasetSchema = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string(),
  schema: z.string().optional(),
  profile: z.string().optional(),
});
export type Dataset = z.infer<typeof datasetSchema>;

/** A tag on a dataset input, e.g. `mlflow.data.context` = `training`. */
export const inputTagSchema = z.object({ key: z.string(), value: z.string() });
export type InputTag = z.infer<typeof inputTagSchema>;

/** A dataset used as a run's input. */
export const datasetInputSchema = z.object({
  tags: z.array(inputTagSchema),
  dataset: datasetSchema,
});
export type DatasetInput = z.infer<typeof datasetInputSchema>;

/** An MLflow 3 logged model used as a run's input. */
export const modelInputSchema = z.object({ model_id: z.string() });
export type ModelInput = z.infer<typeof modelInputSchema>;

/** An MLflow 3 logged model produced by a run at a step. */
export const modelOutputSchema = z.object({ model_id: z.string(), step: z.number().int() });
export type ModelOutput = z.infer<typeof modelOutputSchema>;

/**
 * One dataset runs of an experiment used, with the context it was used in (MLflow's `DatasetSummary`, what
 * `experiments/search-datasets` lists). `context` is the input's `mlflow.data.context` tag, absent without one.
 */
export const datasetSummarySchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  digest: z.string(),
  context: z.string().optional(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

/** The inputs of a run. */
export const runInputsSchema = z.object({
  dataset_inputs: z.array(datasetInputSchema),
  model_inputs: z.array(modelInputSchema).optional(),
});
export type RunInputs = z.infer<typeof runInputsSchema>;

/** The outputs of a run. */
export const runOutputsSchema = z.object({ model_outputs: z.array(modelOutputSchema) });
export type RunOutputs = z.infer<typeof runOutputsSchema>;

/** A run: info, data, inputs and outputs. */
export const runSchema = z.object({
  info: runInfoSchema,
  data: runDataSchema,
  inputs: runInputsSchema,
  outputs: runOutputsSchema.optional(),
});
export type Run = z.infer<typeof runSchema>;

/** An artifact listing entry; `file_size` is absent for directories. */
export const fileInfoSchema = z.object({
  path: z.string(),
  is_dir: z.boolean(),
  file_size: z.number().int().optional(),
});
export type FileInfo = z.infer<typeof fileInfoSchema>;
