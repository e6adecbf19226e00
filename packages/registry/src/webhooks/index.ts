// @cairn/registry/webhooks: delivering MLflow's registry webhooks. Node only (HTTP, DNS, crypto), so it is a
// subpath of its own and the package root stays browser-safe.
export type {
  WebhookDispatcher,
  WebhookDispatcherOptions,
  WebhookEventDelivery,
} from './webhook-dispatcher.js';
export { createWebhookDispatcher } from './webhook-dispatcher.js';
export type { WebhookPayload } from './webhook-payloads.js';
export { exampleWebhookPayload, webhookBody } from './webhook-payloads.js';
export type { WebhookResponse, WebhookSendOptions } from './webhook-sender.js';
export { retriedWebhookStatuses, sendWebhook } from './webhook-sender.js';
export { signWebhookPayload, webhookHeaders, webhookSignatureVersion } from './webhook-signature.js';
export type { WebhookTarget, WebhookTargetPolicy } from './webhook-target-guard.js';
export { checkWebhookTarget, isPublicAddress } from './webhook-target-guard.js';
export { withWebhookDelivery } from './with-webhook-delivery.js';
