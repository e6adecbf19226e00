import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { CairnError, type Webhook, type WebhookEvent } from '@cairn/core';
import pRetry, { AbortError } from 'p-retry';
import { type WebhookPayload, webhookBody } from './webhook-payloads.js';
import { signWebhookPayload, webhookHeaders } from './webhook-signature.js';
import { checkWebhookTarget, type WebhookTarget, type WebhookTargetPolicy } from './webhook-target-guard.js';

/** How deliveries are sent: MLflow's defaults unless said otherwise. */
export interface WebhookSendOptions extends WebhookTargetPolicy {
  /** Per attempt, in milliseconds (MLflow's `MLFLOW_WEBHOOK_REQUEST_TIMEOUT`, 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (MLflow's `MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES`, 3). */
  maxRetries?: number;
  /** The first retry's delay; each next one doubles, up to 60 s, with jitter (MLflow: 1 s, backoff factor 1). */
  backoffMs?: number;
}

/** What the receiver answered. */
export interface WebhookResponse {
  status: number;
  body: string;
}

/** The statuses MLflow retries a delivery on. */
export const retriedWebhookStatuses: readonly number[] = [429, 500, 502, 503, 504];

/** Largest response body kept for `test_webhook`'s report. */
const maxResponseBody = 64 * 1024;
const maxBackoffMs = 60_000;

class RetryableStatus extends Error {
  constructor(
    readonly response: WebhookResponse,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`the receiver answered ${response.status}`);
  }
}

/** A lookup that answers the address the guard resolved, so the connection cannot be re-pointed by DNS. */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

function postOnce(
  target: WebhookTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<WebhookResponse & { retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const secure = target.url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(
      {
        method: 'POST',
        hostname: target.hostname,
        port: target.url.port === '' ? (secure ? 443 : 80) : Number(target.url.port),
        path: `${target.url.pathname}${target.url.search}`,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target),
        // No pooled socket: each attempt connects to the address checked just before it.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
        ...(secure ? { servername: target.hostname } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < maxResponseBody) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, maxResponseBody).toString('utf8'),
            ...(typeof response.headers['retry-after'] === 'string'
              ? { retryAfter: response.headers['retry-after'] }
              : {}),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', (error: Error) =>
      reject(
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? new Error(`no answer within ${timeoutMs} ms`)
          : error,
      ),
    );
    request.end(body);
  });
}

function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, maxBackoffMs) : undefined;
}

/**
 * Posts one event to one webhook as MLflow does: the body `{entity, action, timestamp, data}`, headers
 * `X-MLflow-Delivery-Id`, `X-MLflow-Timestamp` and (with a secret) `X-MLflow-Signature`; retried with
 * exponential backoff on 429/500/502/503/504, connection failures and time-outs, the same delivery id and
 * signature each time. The target is checked (SSRF guard) and resolved before every attempt and the
 * connection pinned to that address; redirects are not followed. Resolves with the last answer (a
 * retried status included); rejects when no answer came or the target was refused.
 */
export async function sendWebhook(
  webhook: Pick<Webhook, 'url' | 'secret'>,
  event: WebhookEvent,
  payload: WebhookPayload,
  options: WebhookSendOptions = {},
): Promise<WebhookResponse> {
  const body = webhookBody(event, payload);
  const deliveryId = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [webhookHeaders.deliveryId]: deliveryId,
    [webhookHeaders.timestamp]: timestamp,
  };
  if (webhook.secret) {
    headers[webhookHeaders.signature] = signWebhookPayload(webhook.secret, deliveryId, timestamp, body);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    return await pRetry(
      async () => {
        let target: WebhookTarget;
        try {
          target = await checkWebhookTarget(webhook.url, options);
        } catch (error) {
          throw new AbortError(error as Error);
        }
        const { retryAfter, ...response } = await postOnce(target, body, headers, timeoutMs);
        if (retriedWebhookStatuses.includes(response.status)) {
          throw new RetryableStatus(response, parseRetryAfter(retryAfter));
        }
        return response;
      },
      {
        retries: options.maxRetries ?? 3,
        minTimeout: options.backoffMs ?? 1000,
        factor: 2,
        maxTimeout: maxBackoffMs,
        randomize: true,
        onFailedAttempt: async ({ error }) => {
          const wait = error instanceof RetryableStatus ? error.retryAfterMs : undefined;
          if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
        },
      },
    );
  } catch (error) {
    if (error instanceof RetryableStatus) return error.response;
    throw CairnError.isInstance(error)
      ? error
      : new Error(`Webhook delivery to ${webhook.url} failed: ${(error as Error).message}`, { cause: error });
  }
}
