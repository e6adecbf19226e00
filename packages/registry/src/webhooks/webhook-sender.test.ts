import { createHmac } from 'node:crypto';
import { CairnError } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from './test-receiver.js';
import { sendWebhook } from './webhook-sender.js';

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});
const receiver = async (...args: Parameters<typeof startReceiver>) => {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
};

// The test receiver listens on 127.0.0.1, which the SSRF guard refuses unless private targets are allowed.
const local = { allowPrivateTargets: true, allowedSchemes: ['http', 'https'], backoffMs: 10 } as const;
const event = { entity: 'model_version', action: 'created' } as const;
const payload = {
  name: 'm',
  version: '1',
  source: 's3://b/m',
  run_id: null,
  tags: { k: 'v' },
  description: null,
};

describe('sendWebhook', () => {
  it('signs as MLflow documents: base64 HMAC-SHA256 over "<delivery id>.<timestamp>.<body>", prefixed v1', async () => {
    const target = await receiver();
    const response = await sendWebhook({ url: target.url, secret: 'whsec-test' }, event, payload, local);
    expect(response).toEqual({ status: 200, body: 'ok' });
    const [request] = target.requests;
    if (request === undefined) throw new Error('nothing delivered');
    const deliveryId = request.headers['x-mlflow-delivery-id'] as string;
    const timestamp = request.headers['x-mlflow-timestamp'] as string;
    const signature = request.headers['x-mlflow-signature'] as string;
    expect(request.headers['content-type']).toBe('application/json');
    expect(deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    // The receiver's side of MLflow's recipe, computed here without the sender's code.
    const expected = createHmac('sha256', 'whsec-test')
      .update(`${deliveryId}.${timestamp}.${request.body}`)
      .digest('base64');
    expect(signature).toBe(`v1,${expected}`);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ entity: 'model_version', action: 'created', data: payload });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    // Python's json.dumps separators, so the bytes match what MLflow would sign.
    expect(request.body.startsWith('{"entity": "model_version", "action": "created", "timestamp": ')).toBe(
      true,
    );
  });

  it('sends no signature header for a webhook without a secret', async () => {
    const target = await receiver();
    await sendWebhook({ url: target.url }, event, payload, local);
    expect(target.requests[0]?.headers['x-mlflow-signature']).toBeUndefined();
    expect(target.requests[0]?.headers['x-mlflow-delivery-id']).toBeDefined();
  });

  it('retries 500 twice then delivers once on 200, with the same delivery id and signature', async () => {
    const target = await receiver((index) => (index < 2 ? { status: 500 } : { status: 200, body: 'done' }));
    const response = await sendWebhook({ url: target.url, secret: 's' }, event, payload, local);
    expect(response).toEqual({ status: 200, body: 'done' });
    expect(target.requests).toHaveLength(3);
    const ids = new Set(target.requests.map((request) => request.headers['x-mlflow-delivery-id']));
    const signatures = new Set(target.requests.map((request) => request.headers['x-mlflow-signature']));
    expect(ids.size).toBe(1);
    expect(signatures.size).toBe(1);
  });

  it('gives up after maxRetries and answers the last status; does not retry a 404', async () => {
    const failing = await receiver(() => ({ status: 503, body: 'busy' }));
    expect(await sendWebhook({ url: failing.url }, event, payload, { ...local, maxRetries: 2 })).toEqual({
      status: 503,
      body: 'busy',
    });
    expect(failing.requests).toHaveLength(3);
    const missing = await receiver(() => ({ status: 404, body: 'no' }));
    expect((await sendWebhook({ url: missing.url }, event, payload, local)).status).toBe(404);
    expect(missing.requests).toHaveLength(1);
  });

  it('times out a receiver that never answers, retrying it, then fails', async () => {
    const target = await receiver(() => 'hang');
    await expect(
      sendWebhook({ url: target.url }, event, payload, { ...local, timeoutMs: 200, maxRetries: 1 }),
    ).rejects.toThrow(/no answer within 200 ms/);
    expect(target.requests).toHaveLength(2);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status: 302, headers: { Location: elsewhere.url } }));
    expect((await sendWebhook({ url: target.url }, event, payload, local)).status).toBe(302);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('connects to the address the guard resolved, not to a second lookup (no DNS-rebinding window)', async () => {
    const target = await receiver();
    let lookups = 0;
    const url = `http://receiver.invalid:${target.port}/hook`;
    const response = await sendWebhook({ url }, event, payload, {
      ...local,
      resolve: async () => {
        lookups += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(response.status).toBe(200);
    expect(lookups).toBe(1);
    expect(target.requests[0]?.headers.host).toBe(`receiver.invalid:${target.port}`);
  });

  it('refuses a loopback receiver without the allow flag, sending nothing', async () => {
    const target = await receiver();
    const error = await sendWebhook({ url: target.url }, event, payload, {
      allowedSchemes: ['http'],
    }).catch((caught: unknown) => caught);
    expect(CairnError.isInstance(error) && error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(target.requests).toHaveLength(0);
  });

  it('refuses a name that resolved to a public address at creation but to a private one at delivery', async () => {
    const target = await receiver();
    const answers = ['93.184.216.34', '127.0.0.1'];
    const resolve = async () => [{ address: answers.shift() ?? '127.0.0.1', family: 4 }];
    const { checkWebhookTarget } = await import('./webhook-target-guard.js');
    const url = `http://rebind.invalid:${target.port}/hook`;
    await expect(checkWebhookTarget(url, { allowedSchemes: ['http'], resolve })).resolves.toMatchObject({
      address: '93.184.216.34',
    });
    await expect(
      sendWebhook({ url }, event, payload, { allowedSchemes: ['http'], resolve }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(target.requests).toHaveLength(0);
  });
});
