import { z } from 'zod';
import { loggedModelStatusSchema } from './enums.js';
import { metricSchema } from './tracking.js';

/** A key/value tag on a logged model. */
export const loggedModelTagSchema = z.object({ key: z.string(), value: z.string() });
export type LoggedModelTag = z.infer<typeof loggedModelTagSchema>;

/** A parameter of a logged model (often copied from the run that produced it). */
export const loggedModelParameterSchema = z.object({ key: z.string(), value: z.string() });
export type LoggedModelParameter = z.infer<typeof loggedModelParameterSchema>;

/** A model-version registration of a logged model (`{name, version}`). */
export const loggedModelRegistrationSchema = z.object({ name: z.string(), version: z.string() });
export type LoggedModelRegistration = z.infer<typeof loggedModelRegistrationSchema>;

/**
 * Metadata of a logged model. `artifact_uri` is `<experiment artifact_location>/models/<model_id>/artifacts`;
 * timestamps are milliseconds since the epoch.
 */
export const loggedModelInfoSchema = z.object({
  model_id: z.string(),
  experiment_id: z.string(),
  name: z.string(),
  creation_timestamp_ms: z.number().int(),
  last_updated_timestamp_ms: z.number().int(),
  artifact_uri: z.string(),
  status: loggedModelStatusSchema,
  creator_id: z.string().optional(),
  model_type: z.string().optional(),
  source_run_id: z.string().optional(),
  status_message: z.string().optional(),
  tags: z.array(loggedModelTagSchema),
  registrations: z.array(loggedModelRegistrationSchema).optional(),
});
export type LoggedModelInfo = z.infer<typeof loggedModelInfoSchema>;

/**
 * The data of a logged model: its params and its metrics, one per (key, dataset) with the latest by
 * (step, timestamp, value). Each metric carries the `model_id` and the `run_id` that logged it.
 */
export const loggedModelDataSchema = z.object({
  params: z.array(loggedModelParameterSchema),
  metrics: z.array(metricSchema),
});
export type LoggedModelData = z.infer<typeof loggedModelDataSchema>;

/** An MLflow 3 logged model, in MLflow's wire shape `{info, data}`. */
export const loggedModelSchema = z.object({
  info: loggedModelInfoSchema,
  data: loggedModelDataSchema,
});
export type LoggedModel = z.infer<typeof loggedModelSchema>;
