import { createHmac } from 'node:crypto';

/** The headers MLflow's deliveries carry. */
export const webhookHeaders = {
  signature: 'X-MLflow-Signature',
  timestamp: 'X-MLflow-Timestamp',
  deliveryId: 'X-MLflow-Delivery-Id',
} as const;

/** The version prefix of MLflow's signature header value (`v1,<base64>`). */
export const webhookSignatureVersion = 'v1';

/**
 * MLflow's webhook signature: HMAC-SHA256 keyed with the webhook's secret over
 * `<delivery id>.<unix timestamp>.<body>`, base64-encoded and prefixed `v1,` (Standard Webhooks' scheme).
 */
export function signWebhookPayload(
  secret: string,
  deliveryId: string,
  timestamp: string,
  body: string,
): string {
  const digest = createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.${body}`, 'utf8').digest();
  return `${webhookSignatureVersion},${digest.toString('base64')}`;
}
