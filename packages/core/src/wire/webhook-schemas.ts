import { z } from 'zod';
import type { Webhook, WebhookEvent, WebhookTestResult } from '../entities/webhook.js';
import { wireEnum, wireInt64, wireList, wireRepeated, wireString } from './wire-types.js';

// MLflow's webhook RPCs (mlflow/protos/webhooks.proto): enums travel by proto name, upper-case
// (`MODEL_VERSION`, `CREATED`, `ACTIVE`), where entities and stores spell events in lower case.

/** `WebhookEntity` proto numbers. */
export const wireWebhookEntityNumbers = {
  ENTITY_UNSPECIFIED: 0,
  REGISTERED_MODEL: 1,
  MODEL_VERSION: 2,
  MODEL_VERSION_TAG: 3,
  MODEL_VERSION_ALIAS: 4,
  PROMPT: 5,
  PROMPT_VERSION: 6,
  PROMPT_TAG: 7,
  PROMPT_VERSION_TAG: 8,
  PROMPT_ALIAS: 9,
  BUDGET_POLICY: 10,
} as const;
/** `WebhookAction` proto numbers. */
export const wireWebhookActionNumbers = {
  ACTION_UNSPECIFIED: 0,
  CREATED: 1,
  UPDATED: 2,
  DELETED: 3,
  SET: 4,
  EXCEEDED: 5,
} as const;
/** `WebhookStatus` proto numbers. */
export const wireWebhookStatusNumbers = { ACTIVE: 1, DISABLED: 2 } as const;

/** An event as the wire carries it, read as core spells it (`{entity: 'model_version', action: 'created'}`). */
export const wireWebhookEvent = z
  .object({
    entity: wireEnum(wireWebhookEntityNumbers),
    action: wireEnum(wireWebhookActionNumbers),
  })
  .transform(
    ({ entity, action }) =>
      ({ entity: entity.toLowerCase(), action: action.toLowerCase() }) as unknown as WebhookEvent,
  );

const wireStatus = () => wireEnum(wireWebhookStatusNumbers);

/** `POST /mlflow/webhooks`: required fields are checked by the store, which names them as MLflow does. */
export const createWebhookRequest = z.object({
  name: wireString().optional(),
  description: wireString().optional(),
  url: wireString().optional(),
  events: wireRepeated(wireWebhookEvent).optional(),
  secret: wireString().optional(),
  status: wireStatus().optional(),
});
/** `GET /mlflow/webhooks`. */
export const listWebhooksRequest = z.object({
  max_results: wireInt64().optional(),
  page_token: wireString().optional(),
});
/** `PATCH /mlflow/webhooks/{webhook_id}`: only the fields given change. */
export const updateWebhookRequest = createWebhookRequest;
/** `POST /mlflow/webhooks/{webhook_id}/test`. */
export const testWebhookRequest = z.object({ event: wireWebhookEvent.optional() });
/** Bodiless RPCs (`get`, `delete`): the id is in the path. */
export const webhookIdRequest = z.object({});

/** A webhook as MLflow answers it: enums by proto name, and never the secret. */
export interface WireWebhook {
  webhook_id: string;
  name: string;
  description?: string;
  url: string;
  events?: { entity: string; action: string }[];
  status: keyof typeof wireWebhookStatusNumbers;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

/** Turns a stored webhook into its answer; the secret stays behind. */
export function toWireWebhook(webhook: Webhook): WireWebhook {
  return {
    webhook_id: webhook.webhook_id,
    name: webhook.name,
    ...(webhook.description ? { description: webhook.description } : {}),
    url: webhook.url,
    ...(webhook.events.length > 0
      ? {
          events: webhook.events.map((event) => ({
            entity: event.entity.toUpperCase(),
            action: event.action.toUpperCase(),
          })),
        }
      : {}),
    status: webhook.status,
    creation_timestamp: webhook.creation_timestamp,
    last_updated_timestamp: webhook.last_updated_timestamp,
  };
}

/** A webhook answer read back (a REST client's side). */
export const wireWebhook = z
  .object({
    webhook_id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    url: z.string(),
    events: wireList(wireWebhookEvent),
    status: wireStatus(),
    creation_timestamp: wireInt64(),
    last_updated_timestamp: wireInt64(),
  })
  .transform((webhook): Webhook => webhook as Webhook);

/** `create`, `get`, `update` answers. */
export const webhookResponse = z.object({ webhook: wireWebhook });
/** `list` answers. */
export const listWebhooksResponse = z.object({
  webhooks: wireList(wireWebhook),
  next_page_token: z.string().optional(),
});
/** `test` answers. */
export const testWebhookResponse = z.object({
  result: z
    .object({
      success: z.boolean().optional(),
      response_status: z.number().int().optional(),
      response_body: z.string().optional(),
      error_message: z.string().optional(),
    })
    .transform((result): WebhookTestResult => ({ ...result, success: result.success ?? false })),
});
