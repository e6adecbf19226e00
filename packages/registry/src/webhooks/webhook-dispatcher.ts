import type { Webhook, WebhookEvent, WebhookStore, WebhookTestResult } from '@cairn/core';
import { exampleWebhookPayload, type WebhookPayload } from './webhook-payloads.js';
import { sendWebhook, type WebhookResponse, type WebhookSendOptions } from './webhook-sender.js';

/** One event to deliver to its subscribers. */
export interface WebhookEventDelivery {
  event: WebhookEvent;
  payload: WebhookPayload;
}

/** Options of {@link createWebhookDispatcher}. */
export interface WebhookDispatcherOptions extends WebhookSendOptions {
  /** Deliveries in flight at once (MLflow's `MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS`, 10); more wait their turn. */
  maxConcurrentDeliveries?: number;
  /** Told of every delivery that failed for good (default: nothing; a delivery never throws to the registry). */
  onError?: (error: unknown, context: { webhook?: Webhook; event?: WebhookEvent }) => void;
  /** Told of every delivery the receiver answered (its last answer, after retries). */
  onDelivered?: (response: WebhookResponse, context: { webhook: Webhook; event: WebhookEvent }) => void;
}

/** Sends registry events to the webhooks subscribed to them. */
export interface WebhookDispatcher {
  /**
   * Delivers an event in the background to every ACTIVE webhook subscribed to it; returns at once. `produce`
   * runs in the background too (it may read the registry to tell a prompt from a model) and may return
   * undefined for no event.
   */
  dispatch(produce: () => Promise<WebhookEventDelivery | undefined> | WebhookEventDelivery | undefined): void;
  /**
   * MLflow's `test_webhook`: delivers the example payload of `event` (default: the webhook's first event) now,
   * whatever the webhook's status, and reports the answer; never throws.
   */
  test(webhook: Webhook, event?: WebhookEvent): Promise<WebhookTestResult>;
  /** Resolves when every delivery started so far has finished (for shutdown and tests). */
  drain(): Promise<void>;
}

/** Python's `repr` of an exception, as MLflow reports a failed test (`ValueError('...')`). */
const describeError = (error: unknown) =>
  `${(error as Error)?.name === 'CairnError' ? 'MlflowException' : 'ConnectionError'}(${JSON.stringify((error as Error)?.message ?? String(error))})`;

/**
 * Creates the dispatcher that delivers registry events to the webhooks in `webhooks`, signed, retried and
 * guarded as {@link sendWebhook} sends them. Webhooks are listed from the store at each event, so every
 * server replica sees a new or disabled webhook at once.
 */
export function createWebhookDispatcher(
  webhooks: WebhookStore,
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const pending = new Set<Promise<void>>();
  const limit = options.maxConcurrentDeliveries ?? 10;
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing delivery hands its place straight to the next one waiting, so the count never overshoots.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next();
    }
  };
  const report = (error: unknown, context: { webhook?: Webhook; event?: WebhookEvent }) => {
    try {
      options.onError?.(error, context);
    } catch {
      // A failing reporter must not turn into an unhandled rejection.
    }
  };
  const track = (work: Promise<void>) => {
    const settled = work.catch((error: unknown) => report(error, {}));
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  const subscribers = async (event: WebhookEvent): Promise<Webhook[]> => {
    const found: Webhook[] = [];
    let pageToken: string | undefined;
    do {
      const page = await webhooks.listWebhooksByEvent(event, {
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      });
      found.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return found.filter((webhook) => webhook.status === 'ACTIVE');
  };

  const deliver = (webhook: Webhook, delivery: WebhookEventDelivery) =>
    track(
      slot(() => sendWebhook(webhook, delivery.event, delivery.payload, options)).then(
        (response) => options.onDelivered?.(response, { webhook, event: delivery.event }),
        (error: unknown) => report(error, { webhook, event: delivery.event }),
      ),
    );

  return {
    dispatch(produce) {
      track(
        (async () => {
          // Off the caller's turn: the registry call has already answered.
          await new Promise((resolve) => setImmediate(resolve));
          const delivery = await produce();
          if (delivery === undefined) return;
          for (const webhook of await subscribers(delivery.event)) deliver(webhook, delivery);
        })(),
      );
    },
    async test(webhook, event) {
      const testEvent = event ?? webhook.events[0];
      const payload = testEvent === undefined ? undefined : exampleWebhookPayload(testEvent);
      if (testEvent === undefined || payload === undefined) {
        return {
          success: false,
          error_message: `Failed to test webhook: ValueError(${JSON.stringify(`Unknown event type: ${testEvent?.entity}.${testEvent?.action}`)})`,
        };
      }
      try {
        const response = await sendWebhook(webhook, testEvent, payload, options);
        return {
          success: response.status < 400,
          response_status: response.status,
          response_body: response.body,
        };
      } catch (error) {
        return { success: false, error_message: `Failed to test webhook: ${describeError(error)}` };
      }
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
