import {
  doesNotExist,
  validateCreateWebhookInput,
  validateUpdateWebhookInput,
  type Webhook,
  type WebhookStore,
  webhookNextPageToken,
  webhookNotFoundMessage,
  webhookPageWindow,
} from '@cairn/core';

interface WebhookRecord extends Webhook {
  deleted: boolean;
  /** Creation order, so "newest first" is stable when two webhooks share a millisecond. */
  sequence: number;
}

const copy = ({ deleted: _deleted, sequence: _sequence, ...webhook }: WebhookRecord): Webhook => ({
  ...webhook,
  events: webhook.events.map((event) => ({ ...event })),
});

/** Registry webhooks held in memory: the reference implementation of the `WebhookStore` contract. */
export function createMemoryWebhookStore(): WebhookStore {
  const webhooks = new Map<string, WebhookRecord>();
  let sequence = 0;
  let clock = 0;
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return clock;
  };
  const find = (webhookId: string): WebhookRecord => {
    const record = webhooks.get(webhookId);
    if (record === undefined || record.deleted) {
      throw doesNotExist(webhookNotFoundMessage(webhookId), { field: 'webhook_id' });
    }
    return record;
  };
  const page = (matching: (record: WebhookRecord) => boolean, scope: string) => {
    return async (request: Parameters<WebhookStore['listWebhooks']>[0]) => {
      const window = webhookPageWindow(request, scope);
      const live = [...webhooks.values()]
        .filter((record) => !record.deleted && matching(record))
        .sort((a, b) => b.creation_timestamp - a.creation_timestamp || b.sequence - a.sequence);
      const rows = live.slice(window.offset, window.offset + window.limit + 1);
      const nextPageToken = webhookNextPageToken(window, rows.length, scope);
      return {
        items: rows.slice(0, window.limit).map(copy),
        ...(nextPageToken === undefined ? {} : { nextPageToken }),
      };
    };
  };

  return {
    specificationVersion: 'v1',
    async createWebhook(input) {
      const valid = validateCreateWebhookInput(input);
      const time = now();
      sequence += 1;
      const record: WebhookRecord = {
        webhook_id: globalThis.crypto.randomUUID(),
        name: valid.name,
        url: valid.url,
        events: valid.events,
        status: valid.status,
        creation_timestamp: time,
        last_updated_timestamp: time,
        ...(valid.description === undefined ? {} : { description: valid.description }),
        ...(valid.secret === undefined ? {} : { secret: valid.secret }),
        deleted: false,
        sequence,
      };
      webhooks.set(record.webhook_id, record);
      return copy(record);
    },
    async getWebhook(webhookId) {
      return copy(find(webhookId));
    },
    listWebhooks: (request) => page(() => true, '')(request),
    listWebhooksByEvent: (event, request) =>
      page(
        (record) => record.events.some((e) => e.entity === event.entity && e.action === event.action),
        `:${event.entity}.${event.action}`,
      )(request),
    async updateWebhook(webhookId, input) {
      const record = find(webhookId);
      // Validate everything before changing anything, so a bad field leaves the webhook as it was.
      const valid = validateUpdateWebhookInput(input);
      if (valid.name !== undefined) record.name = valid.name;
      if (valid.url !== undefined) record.url = valid.url;
      if (valid.events !== undefined) record.events = valid.events;
      if (valid.description !== undefined) {
        if (valid.description === '') delete record.description;
        else record.description = valid.description;
      }
      if (valid.secret !== undefined) {
        if (valid.secret === '') delete record.secret;
        else record.secret = valid.secret;
      }
      if (valid.status !== undefined) record.status = valid.status;
      record.last_updated_timestamp = now();
      return copy(record);
    },
    async deleteWebhook(webhookId) {
      const record = find(webhookId);
      record.deleted = true;
      record.last_updated_timestamp = now();
    },
    async close() {},
  };
}
