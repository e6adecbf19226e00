import type { PageRequest } from '../contracts/page.js';
import type { CreateWebhookInput, UpdateWebhookInput } from '../contracts/webhook-store.js';
import {
  type WebhookEvent,
  type WebhookStatus,
  webhookActionSchema,
  webhookEntityActions,
  webhookEntitySchema,
  webhookStatusSchema,
} from '../entities/webhook.js';
import { invalidParameter } from '../errors.js';
import { decodePageToken, encodePageToken } from '../search/page-token.js';

/**
 * MLflow's limits on a webhook. The name rule is MLflow's (1 to 63 characters, letters, digits, `.`, `_`,
 * `-`, starting and ending with a letter or digit); the widths are those of its `webhooks` columns, which
 * MLflow leaves to the database to enforce and Cairn checks up front on every backend.
 */
export const webhookLimits = {
  nameLength: 63,
  urlLength: 500,
  descriptionLength: 1000,
  /** Stored encrypted in a 1000-character column when a key is set; this leaves room for the envelope. */
  secretLength: 500,
  /** `list_webhooks` pages: MLflow's default and maximum `max_results`. */
  defaultMaxResults: 100,
  maxResults: 1000,
} as const;

const namePattern = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i;

/** Rejects a webhook name MLflow rejects; INVALID_PARAMETER_VALUE naming `name` and the rule. */
export function validateWebhookName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw invalidParameter("Missing value for required parameter 'name'.", { field: 'name' });
  }
  if (name.length > webhookLimits.nameLength || !namePattern.test(name)) {
    throw invalidParameter(
      `Invalid webhook 'name' '${name}': it must be 1 to ${webhookLimits.nameLength} characters of letters, digits, '.', '_' and '-', starting and ending with a letter or digit.`,
      { field: 'name', limit: webhookLimits.nameLength },
    );
  }
  return name;
}

/**
 * Checks a webhook URL's form: an absolute `http:` or `https:` URL with a host, at most 500 characters.
 * Where the host resolves to is the delivery side's check (an SSRF guard needs DNS, which core has not).
 */
export function validateWebhookUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw invalidParameter("Missing value for required parameter 'url'.", { field: 'url' });
  }
  if (url.length > webhookLimits.urlLength) {
    throw invalidParameter(
      `Invalid webhook 'url': its length ${url.length} exceeds the limit of ${webhookLimits.urlLength} characters.`,
      { field: 'url', limit: webhookLimits.urlLength },
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidParameter(`Invalid webhook 'url' '${url}': it is not an absolute URL.`, { field: 'url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidParameter(
      `Invalid webhook 'url' scheme '${parsed.protocol.replace(/:$/, '')}': a webhook URL must be http or https.`,
      { field: 'url' },
    );
  }
  if (parsed.hostname === '') {
    throw invalidParameter(`Invalid webhook 'url' '${url}': it has no host.`, { field: 'url' });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalidParameter(`Invalid webhook 'url': credentials in the URL are not accepted.`, {
      field: 'url',
    });
  }
  return url;
}

/** Checks one event is a pair MLflow accepts, e.g. `model_version.created`. */
export function validateWebhookEvent(event: unknown): WebhookEvent {
  const { entity, action } = (event ?? {}) as { entity?: unknown; action?: unknown };
  const parsedEntity = webhookEntitySchema.safeParse(entity);
  if (!parsedEntity.success) {
    throw invalidParameter(
      `Invalid webhook event entity '${String(entity)}': expected one of ${webhookEntitySchema.options.join(', ')}.`,
      { field: 'events' },
    );
  }
  const parsedAction = webhookActionSchema.safeParse(action);
  const allowed = webhookEntityActions[parsedEntity.data];
  if (!parsedAction.success || !allowed.includes(parsedAction.data)) {
    throw invalidParameter(
      `Invalid webhook event action '${String(action)}' for entity '${parsedEntity.data}': valid actions are ${allowed.join(', ')}.`,
      { field: 'events' },
    );
  }
  return { entity: parsedEntity.data, action: parsedAction.data };
}

/** Checks a non-empty list of events and drops repeats (one row per event in `webhook_events`). */
export function validateWebhookEvents(events: unknown): WebhookEvent[] {
  if (!Array.isArray(events) || events.length === 0) {
    throw invalidParameter('Webhook events must be a non-empty list of events.', { field: 'events' });
  }
  const seen = new Map<string, WebhookEvent>();
  for (const event of events.map(validateWebhookEvent)) seen.set(`${event.entity}.${event.action}`, event);
  return [...seen.values()];
}

function validateStatus(status: unknown): WebhookStatus {
  const parsed = webhookStatusSchema.safeParse(status);
  if (!parsed.success) {
    throw invalidParameter(`Invalid webhook 'status' '${String(status)}': expected ACTIVE or DISABLED.`, {
      field: 'status',
    });
  }
  return parsed.data;
}

function checkLength(field: 'description' | 'secret', value: string | undefined, limit: number): void {
  if (value !== undefined && value.length > limit) {
    throw invalidParameter(
      `Invalid webhook '${field}': its length ${value.length} exceeds the limit of ${limit} characters.`,
      { field, limit },
    );
  }
}

/** Validates what `createWebhook` gets and fills MLflow's defaults (status ACTIVE; empty strings are absent). */
export function validateCreateWebhookInput(input: CreateWebhookInput): CreateWebhookInput & {
  status: WebhookStatus;
} {
  const name = validateWebhookName(input.name);
  const url = validateWebhookUrl(input.url);
  const events = validateWebhookEvents(input.events);
  const description = input.description || undefined;
  const secret = input.secret || undefined;
  checkLength('description', description, webhookLimits.descriptionLength);
  checkLength('secret', secret, webhookLimits.secretLength);
  const status = input.status === undefined ? 'ACTIVE' : validateStatus(input.status);
  return {
    name,
    url,
    events,
    status,
    ...(description === undefined ? {} : { description }),
    ...(secret === undefined ? {} : { secret }),
  };
}

/** Validates what `updateWebhook` gets: only the fields given change (an empty `secret` removes it). */
export function validateUpdateWebhookInput(input: UpdateWebhookInput): UpdateWebhookInput {
  const output: UpdateWebhookInput = {};
  if (input.name !== undefined) output.name = validateWebhookName(input.name);
  if (input.url !== undefined) output.url = validateWebhookUrl(input.url);
  if (input.events !== undefined) output.events = validateWebhookEvents(input.events);
  if (input.description !== undefined) {
    checkLength('description', input.description, webhookLimits.descriptionLength);
    output.description = input.description;
  }
  if (input.secret !== undefined) {
    checkLength('secret', input.secret, webhookLimits.secretLength);
    output.secret = input.secret;
  }
  if (input.status !== undefined) output.status = validateStatus(input.status);
  return output;
}

const pageScope = { scope: 'webhooks' };

/** The offset and size of a webhook listing page; max_results 1 to 1000 (default 100) as in MLflow. */
export function webhookPageWindow(request: PageRequest, scope = ''): { offset: number; limit: number } {
  const limit = request.maxResults || webhookLimits.defaultMaxResults;
  if (!Number.isInteger(limit) || limit < 1 || limit > webhookLimits.maxResults) {
    throw invalidParameter(`max_results must be between 1 and ${webhookLimits.maxResults}.`, {
      field: 'max_results',
      limit: webhookLimits.maxResults,
    });
  }
  if (!request.pageToken) return { offset: 0, limit };
  const payload = decodePageToken(request.pageToken, { scope: `${pageScope.scope}${scope}` });
  const offset = (payload as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw invalidParameter('Invalid page token: it is not a token this server issued', {
      field: 'page_token',
    });
  }
  return { offset, limit };
}

/** The token of the page after the one at `offset`, or undefined when `fetched` (limit + 1 rows asked) ended the list. */
export function webhookNextPageToken(
  window: { offset: number; limit: number },
  fetched: number,
  scope = '',
): string | undefined {
  return fetched > window.limit
    ? encodePageToken({ offset: window.offset + window.limit }, { scope: `${pageScope.scope}${scope}` })
    : undefined;
}

/** The message and code of an unknown webhook id, as MLflow words it. */
export function webhookNotFoundMessage(webhookId: string): string {
  return `Webhook with ID ${webhookId} not found.`;
}
