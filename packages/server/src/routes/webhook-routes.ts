import {
  CairnError,
  validateCreateWebhookInput,
  validateUpdateWebhookInput,
  type WebhookStore,
} from '@cairn/core';
import {
  createWebhookRequest,
  listWebhooksRequest,
  testWebhookRequest,
  toWireWebhook,
  updateWebhookRequest,
  webhookIdRequest,
} from '@cairn/core/wire';
import {
  checkWebhookTarget,
  type WebhookDispatcher,
  type WebhookTargetPolicy,
} from '@cairn/registry/webhooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiPrefixes, type RouteTable } from './route-table.js';

const base = '/mlflow/webhooks';

const webhookIdOf = (request: FastifyRequest) =>
  ((request.params ?? {}) as { webhook_id?: string }).webhook_id ?? '';

const present = (value: string | undefined) => (value ? value : undefined);

/** What the webhook routes work with. */
export interface WebhookRouteOptions {
  webhooks: WebhookStore;
  dispatcher: WebhookDispatcher;
  /** Where webhook URLs may point, checked at create and update (and again at each delivery). */
  policy: WebhookTargetPolicy;
}

/**
 * MLflow 3's webhook RPCs (`/mlflow/webhooks`): create, list, get, update (PATCH), delete and test, with
 * MLflow's JSON shapes; the secret is write-only. A URL is checked against the SSRF policy before it is
 * stored, after the store's own checks of its form.
 */
export function registerWebhookRoutes(routes: RouteTable, options: WebhookRouteOptions): void {
  const { webhooks, dispatcher, policy } = options;
  routes.rpc(
    { methods: ['POST'], path: base, summary: 'Create a webhook', request: createWebhookRequest },
    async (input) => {
      const valid = validateCreateWebhookInput({
        name: input.name as string,
        url: input.url as string,
        events: input.events ?? [],
        ...(present(input.description) ? { description: input.description as string } : {}),
        ...(present(input.secret) ? { secret: input.secret as string } : {}),
        ...(input.status === undefined ? {} : { status: input.status }),
      });
      await checkWebhookTarget(valid.url, policy);
      return { webhook: toWireWebhook(await webhooks.createWebhook(valid)) };
    },
  );
  routes.rpc(
    { methods: ['GET'], path: base, summary: 'List webhooks', request: listWebhooksRequest },
    async (input) => {
      const page = await webhooks.listWebhooks({
        ...(input.max_results === undefined ? {} : { maxResults: input.max_results }),
        ...(present(input.page_token) ? { pageToken: input.page_token as string } : {}),
      });
      return {
        ...(page.items.length > 0 ? { webhooks: page.items.map(toWireWebhook) } : {}),
        ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }),
      };
    },
  );
  routes.rpc(
    { methods: ['GET'], path: `${base}/:webhook_id`, summary: 'Get a webhook', request: webhookIdRequest },
    async (_input, request) => ({ webhook: toWireWebhook(await webhooks.getWebhook(webhookIdOf(request))) }),
  );
  routes.rpc(
    {
      methods: ['PATCH'],
      path: `${base}/:webhook_id`,
      summary: 'Update a webhook',
      request: updateWebhookRequest,
    },
    async (input, request) => {
      const webhookId = webhookIdOf(request);
      await webhooks.getWebhook(webhookId);
      // As MLflow: an empty name, URL or event list means "unchanged"; description and secret may be emptied.
      const valid = validateUpdateWebhookInput({
        ...(present(input.name) ? { name: input.name as string } : {}),
        ...(present(input.url) ? { url: input.url as string } : {}),
        ...(input.events !== undefined && input.events.length > 0 ? { events: input.events } : {}),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.secret === undefined ? {} : { secret: input.secret }),
        ...(input.status === undefined ? {} : { status: input.status }),
      });
      if (valid.url !== undefined) await checkWebhookTarget(valid.url, policy);
      return { webhook: toWireWebhook(await webhooks.updateWebhook(webhookId, valid)) };
    },
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${base}/:webhook_id`,
      summary: 'Delete a webhook',
      request: webhookIdRequest,
    },
    async (_input, request) => {
      await webhooks.deleteWebhook(webhookIdOf(request));
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${base}/:webhook_id/test`,
      summary: 'Send a test event to a webhook',
      request: testWebhookRequest,
    },
    async (input, request) => {
      const webhook = await webhooks.getWebhook(webhookIdOf(request));
      const result = await dispatcher.test(webhook, input.event);
      return {
        result: {
          success: result.success,
          ...(result.response_status === undefined ? {} : { response_status: result.response_status }),
          ...(result.response_body ? { response_body: result.response_body } : {}),
          ...(result.error_message === undefined ? {} : { error_message: result.error_message }),
        },
      };
    },
  );
}

/**
 * Without a webhook store (a file store: MLflow's FileStore has no webhooks either) every webhook RPC
 * answers 501 NOT_IMPLEMENTED, naming the store as MLflow's error does.
 */
export function registerWebhooksUnavailable(app: FastifyInstance, storeName: string): void {
  const methods: Record<string, string> = { POST: 'create_webhook', GET: 'list_webhooks' };
  for (const prefix of apiPrefixes) {
    for (const path of [base, `${base}/*`]) {
      app.all(`${prefix}${path}`, async (request) => {
        const operation =
          path === base
            ? (methods[request.method] ?? 'webhooks')
            : request.url.split('?')[0]?.endsWith('/test')
              ? 'test_webhook'
              : ({ GET: 'get_webhook', PATCH: 'update_webhook', DELETE: 'delete_webhook' }[request.method] ??
                'webhooks');
        throw new CairnError('NOT_IMPLEMENTED', `${storeName} does not support ${operation}`);
      });
    }
  }
}
