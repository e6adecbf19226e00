import { z } from 'zod';
import { modelVersionStatusSchema } from './enums.js';

/** A tag on a registered model. */
export const registeredModelTagSchema = z.object({ key: z.string(), value: z.string() });
export type RegisteredModelTag = z.infer<typeof registeredModelTagSchema>;

/** A tag on a model version. */
export const modelVersionTagSchema = z.object({ key: z.string(), value: z.string() });
export type ModelVersionTag = z.infer<typeof modelVersionTagSchema>;

/** An alias (`champion`) pointing at one version of a registered model. */
export const registeredModelAliasSchema = z.object({ alias: z.string(), version: z.string() });
export type RegisteredModelAlias = z.infer<typeof registeredModelAliasSchema>;

/** One version of a registered model. `version` is a decimal string; `current_stage` may be `Deleted_Internal`. */
export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int().optional(),
  user_id: z.string().optional(),
  current_stage: z.string(),
  description: z.string().optional(),
  source: z.string(),
  run_id: z.string().optional(),
  status: modelVersionStatusSchema,
  status_message: z.string().optional(),
  tags: z.array(modelVersionTagSchema),
  run_link: z.string().optional(),
  aliases: z.array(z.string()),
  model_id: z.string().optional(),
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;

/** A registered model with its newest version per stage, tags and aliases. */
export const registeredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int().optional(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: z.array(modelVersionSchema),
  tags: z.array(registeredModelTagSchema),
  aliases: z.array(registeredModelAliasSchema),
  deployment_job_id: z.string().optional(),
});
export type RegisteredModel = z.infer<typeof registeredModelSchema>;
