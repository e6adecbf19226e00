import type { Webhook, WebhookEvent, WebhookStatus } from '../entities/webhook.js';
import type { Page, PageRequest } from './page.js';

/** Arguments of {@link WebhookStore.createWebhook}. */
export interface CreateWebhookInput {
  name: string;
  url: string;
  events: WebhookEvent[];
  description?: string;
  /** The HMAC-SHA256 key deliveries are signed with; absent: deliveries are not signed. */
  secret?: string;
  /** Default ACTIVE. */
  status?: WebhookStatus;
}

/** Arguments of {@link WebhookStore.updateWebhook}: only the fields given change. */
export interface UpdateWebhookInput {
  name?: string;
  url?: string;
  /** Replaces the whole list. */
  events?: WebhookEvent[];
  description?: string;
  /** An empty string removes the secret. */
  secret?: string;
  status?: WebhookStatus;
}

/**
 * The contract every webhook backend implements: MLflow 3's model-registry webhooks (subscriptions of a URL
 * to registry events), kept beside the registry. Inputs are checked with core's
 * `validateCreateWebhookInput` / `validateUpdateWebhookInput` (MLflow's name rule, http(s) URLs, known
 * events, column widths) and fail with INVALID_PARAMETER_VALUE naming the field; an unknown or deleted id
 * fails with RESOURCE_DOES_NOT_EXIST. Where a URL may point (SSRF) is decided by the delivery side.
 */
export interface WebhookStore {
  /** The version of this contract the store implements. */
  readonly specificationVersion: 'v1';
  /** Creates a webhook with a new id (a UUID), ACTIVE unless told otherwise. */
  createWebhook(input: CreateWebhookInput): Promise<Webhook>;
  /** Returns one webhook, secret included; RESOURCE_DOES_NOT_EXIST if unknown or deleted. */
  getWebhook(webhookId: string): Promise<Webhook>;
  /** Lists live webhooks, newest first, one page at a time (default 100, at most 1000). */
  listWebhooks(request: PageRequest): Promise<Page<Webhook>>;
  /** Lists live webhooks subscribed to `event` (any status), newest first, paged as {@link listWebhooks}. */
  listWebhooksByEvent(event: WebhookEvent, request: PageRequest): Promise<Page<Webhook>>;
  /** Changes the fields given and `last_updated_timestamp`; RESOURCE_DOES_NOT_EXIST if unknown. */
  updateWebhook(webhookId: string, input: UpdateWebhookInput): Promise<Webhook>;
  /** Deletes a webhook (MLflow keeps the row, marked deleted); RESOURCE_DOES_NOT_EXIST if unknown. */
  deleteWebhook(webhookId: string): Promise<void>;
  /** Releases resources. */
  close(): Promise<void>;
}
