import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveServerOptions } from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

let server: RunningServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A receiver on 127.0.0.1 that resolves `delivered` with the first body it gets. */
async function receiver() {
  let deliver: (body: string) => void = () => undefined;
  const delivered = new Promise<string>((resolve) => {
    deliver = resolve;
  });
  const http = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.end('ok');
      deliver(Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, delivered };
}

const json = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('webhook options of the server', () => {
  it('reads MLflow’s webhook variables; the flag wins; https only and private targets refused by default', () => {
    expect(resolveServerOptions({}, {})).toMatchObject({
      allowPrivateWebhookTargets: false,
      webhookAllowedSchemes: ['https'],
      webhookRequestTimeout: 30,
      webhookMaxRetries: 3,
      webhookMaxWorkers: 10,
    });
    const env = {
      MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
      MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http, https',
      MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '5',
      MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: '1',
      MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS: '2',
    };
    expect(resolveServerOptions({}, env)).toMatchObject({
      allowPrivateWebhookTargets: true,
      webhookAllowedSchemes: ['http', 'https'],
      webhookRequestTimeout: 5,
      webhookMaxRetries: 1,
      webhookMaxWorkers: 2,
    });
    expect(resolveServerOptions({ allowPrivateWebhookTargets: true }, {}).allowPrivateWebhookTargets).toBe(
      true,
    );
    expect(() => resolveServerOptions({}, { MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'ftp' })).toThrow(
      /webhookAllowedSchemes/,
    );
  });

  it('refuses a loopback webhook without the allow flag', async () => {
    const target = await receiver();
    server = await startServer(
      resolveServerOptions(
        { backendStoreUri: 'memory:no-flag', port: 0, logRequests: false },
        {
          MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https',
        },
      ),
    );
    const answer = await json(`${server.url}/api/2.0/mlflow/webhooks`, {
      name: 'local',
      url: target.url,
      events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }],
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { message: string }).message).toMatch(/not a public address/);
  });

  it('with --allow-private-webhook-targets, delivers a registry event to a receiver on 127.0.0.1', async () => {
    const target = await receiver();
    server = await startServer(
      resolveServerOptions(
        { backendStoreUri: 'memory:flag', port: 0, logRequests: false, allowPrivateWebhookTargets: true },
        { MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https' },
      ),
    );
    const created = await json(`${server.url}/api/2.0/mlflow/webhooks`, {
      name: 'local',
      url: target.url,
      events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }],
    });
    expect(created.status).toBe(200);
    expect((await json(`${server.url}/api/2.0/mlflow/registered-models/create`, { name: 'm' })).status).toBe(
      200,
    );
    expect(JSON.parse(await target.delivered)).toMatchObject({
      entity: 'registered_model',
      action: 'created',
      data: { name: 'm', tags: {}, description: '' },
    });
  });
});
