import { z } from 'zod';

/** Whether a webhook receives events (MLflow's `WebhookStatus`). */
export const webhookStatusSchema = z.enum(['ACTIVE', 'DISABLED']);
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

/** What a webhook event is about, as MLflow 3.18.0 spells it in payloads and in its `webhook_events` table. */
export const webhookEntitySchema = z.enum([
  'registered_model',
  'model_version',
  'model_version_tag',
  'model_version_alias',
  'prompt',
  'prompt_version',
  'prompt_tag',
  'prompt_version_tag',
  'prompt_alias',
  'budget_policy',
]);
export type WebhookEntity = z.infer<typeof webhookEntitySchema>;

/** What happened to the entity. */
export const webhookActionSchema = z.enum(['created', 'updated', 'deleted', 'set', 'exceeded']);
export type WebhookAction = z.infer<typeof webhookActionSchema>;

/** The actions MLflow accepts for each entity; any other pair is not an event. */
export const webhookEntityActions: Readonly<Record<WebhookEntity, readonly WebhookAction[]>> = {
  registered_model: ['created'],
  model_version: ['created'],
  model_version_tag: ['set', 'deleted'],
  model_version_alias: ['created', 'deleted'],
  prompt: ['created'],
  prompt_version: ['created'],
  prompt_tag: ['set', 'deleted'],
  prompt_version_tag: ['set', 'deleted'],
  prompt_alias: ['created', 'deleted'],
  budget_policy: ['exceeded'],
};

/** One event a webhook subscribes to, e.g. `{ entity: 'model_version', action: 'created' }`. */
export const webhookEventSchema = z.object({ entity: webhookEntitySchema, action: webhookActionSchema });
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** `model_version.created`: how MLflow writes an event as one string. */
export const webhookEventName = (event: WebhookEvent): string => `${event.entity}.${event.action}`;

/**
 * A webhook as a store keeps it. `secret` is the HMAC key deliveries are signed with; it never leaves the
 * server (the REST answers omit it, as MLflow's do).
 */
export const webhookSchema = z.object({
  webhook_id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  url: z.string(),
  events: z.array(webhookEventSchema),
  status: webhookStatusSchema,
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  secret: z.string().optional(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** What `test_webhook` reports: the receiver's status and body, or why nothing was delivered. */
export const webhookTestResultSchema = z.object({
  success: z.boolean(),
  response_status: z.number().int().optional(),
  response_body: z.string().optional(),
  error_message: z.string().optional(),
});
export type WebhookTestResult = z.infer<typeof webhookTestResultSchema>;
