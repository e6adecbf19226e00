export type {
  ModelsUriStores,
  ResolvedModelsUri,
  ResolveModelsUriOptions,
} from './resolve-models-uri.js';
export { resolveModelsUri } from './resolve-models-uri.js';
export type {
  WebhookDispatcher,
  WebhookDispatcherOptions,
  WebhookEventDelivery,
} from './webhooks/webhook-dispatcher.js';
export { createWebhookDispatcher } from './webhooks/webhook-dispatcher.js';
export type { WebhookPayload } from './webhooks/webhook-payloads.js';
export { exampleWebhookPayload, webhookBody } from './webhooks/webhook-payloads.js';
export type { WebhookResponse, WebhookSendOptions } from './webhooks/webhook-sender.js';
export { retriedWebhookStatuses, sendWebhook } from './webhooks/webhook-sender.js';
export { signWebhookPayload, webhookHeaders, webhookSignatureVersion } from './webhooks/webhook-signature.js';
export type { WebhookTarget, WebhookTargetPolicy } from './webhooks/webhook-target-guard.js';
export { checkWebhookTarget, isPublicAddress } from './webhooks/webhook-target-guard.js';
export { withWebhookDelivery } from './webhooks/with-webhook-delivery.js';
