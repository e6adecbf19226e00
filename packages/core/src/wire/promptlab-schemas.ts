import { z } from 'zod';
import { wireInt64, wireKeyValue } from './wire-types.js';

/** A `{key, value}` pair of the prompt lab, whose values may be numbers (MLflow turns them into strings). */
const promptlabParam = z.object({
  key: z.string(),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .optional()
    .transform((value) => (value === undefined || value === null ? '' : String(value))),
});

/**
 * `POST /ajax-api/2.0/mlflow/runs/create-promptlab-run` (the UI's prompt engineering). Every field is
 * optional here: the handler asks for the required ones itself, one at a time with MLflow's messages.
 */
export const createPromptlabRunRequest = z.object({
  experiment_id: z.union([z.string(), z.number()]).optional(),
  run_name: z.string().optional(),
  tags: z.array(wireKeyValue()).optional(),
  prompt_template: z.string().optional(),
  prompt_parameters: z.array(promptlabParam).optional(),
  model_route: z.string().optional(),
  model_parameters: z.array(promptlabParam).optional(),
  model_input: z.string().optional(),
  model_output: z.string().nullable().optional(),
  model_output_parameters: z.array(promptlabParam).optional(),
  mlflow_version: z.string().optional(),
  user_id: z.string().optional(),
  start_time: wireInt64().optional(),
});

/** A parsed {@link createPromptlabRunRequest}. */
export type CreatePromptlabRunRequest = z.output<typeof createPromptlabRunRequest>;
