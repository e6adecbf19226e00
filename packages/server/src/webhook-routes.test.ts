import { createHmac } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryRegistryStore, createMemoryWebhookStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer, post } from './test-helpers.js';

const api = '/api/2.0/mlflow';
const apps: FastifyInstance[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A webhook receiver on 127.0.0.1 that records requests and answers `status(n)` to the n-th. */
async function receiver(status: (index: number) => number = () => 200) {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = requests.length;
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve();
      response.writeHead(status(index), { 'Content-Type': 'text/plain' }).end(`answer ${index}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    received: (count: number) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  };
}

function server(allowPrivateTargets: boolean) {
  const app = memoryServer({
    registryStore: createMemoryRegistryStore(),
    webhookStore: createMemoryWebhookStore(),
    webhookDelivery: { allowPrivateTargets, allowedSchemes: ['http', 'https'], backoffMs: 10 },
  });
  apps.push(app);
  return app;
}

async function send(app: FastifyInstance, method: 'PATCH' | 'DELETE', url: string, body?: object) {
  const response = await app.inject({ method, url, ...(body ? { payload: body } : {}) });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

const allRegistryEvents = [
  { entity: 'REGISTERED_MODEL', action: 'CREATED' },
  { entity: 'MODEL_VERSION', action: 'CREATED' },
  { entity: 'MODEL_VERSION_TAG', action: 'SET' },
  { entity: 'MODEL_VERSION_TAG', action: 'DELETED' },
  { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
  { entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' },
];

describe('webhook routes', () => {
  it('creates, gets, lists, updates and deletes in MLflow’s shapes, never returning the secret', async () => {
    const app = server(true);
    const target = await receiver();
    const created = await post(app, `${api}/webhooks`, {
      name: 'ci-hook',
      description: 'tell CI',
      url: target.url,
      events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
      secret: 'hush',
    });
    expect(created.status).toBe(200);
    const webhook = created.body.webhook as Record<string, unknown>;
    expect(webhook).toMatchObject({
      name: 'ci-hook',
      description: 'tell CI',
      url: target.url,
      events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
      status: 'ACTIVE',
    });
    expect(typeof webhook.creation_timestamp).toBe('number');
    expect(created.raw).not.toContain('hush');
    const id = webhook.webhook_id as string;
    const read = await get(app, `${api}/webhooks/${id}`);
    expect(read.body.webhook).toEqual(webhook);
    expect(read.raw).not.toContain('secret');
    const updated = await send(app, 'PATCH', `${api}/webhooks/${id}`, { status: 'DISABLED', secret: 'new' });
    expect(updated.status).toBe(200);
    expect(updated.body.webhook).toMatchObject({ status: 'DISABLED', name: 'ci-hook' });
    expect(JSON.stringify(updated.body)).not.toContain('new"');
    const listed = await get(app, `${api}/webhooks`);
    expect((listed.body.webhooks as unknown[]).length).toBe(1);
    expect(await send(app, 'DELETE', `${api}/webhooks/${id}`)).toEqual({ status: 200, body: {} });
    const gone = await get(app, `${api}/webhooks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Webhook with ID ${id} not found.`,
    });
    expect((await get(app, `${api}/webhooks`)).body).toEqual({});
  });

  it('pages the listing with max_results and page_token, and refuses max_results over 1000', async () => {
    const app = server(true);
    for (const name of ['a', 'b', 'c']) {
      await post(app, `${api}/webhooks`, {
        name,
        url: 'http://127.0.0.1:9/x',
        events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
      });
    }
    const first = await get(app, `${api}/webhooks?max_results=2`);
    expect((first.body.webhooks as { name: string }[]).map((hook) => hook.name)).toEqual(['c', 'b']);
    const second = await get(app, `${api}/webhooks?max_results=2&page_token=${first.body.next_page_token}`);
    expect((second.body.webhooks as { name: string }[]).map((hook) => hook.name)).toEqual(['a']);
    expect(second.body.next_page_token).toBeUndefined();
    const tooMany = await get(app, `${api}/webhooks?max_results=1001`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'max_results must be between 1 and 1000.',
    });
  });

  it('answers 400 INVALID_PARAMETER_VALUE for a bad name, URL or event, storing nothing', async () => {
    const app = server(true);
    const base = {
      name: 'ok',
      url: 'http://127.0.0.1:9/x',
      events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, name: 'bad name' }, /'name'/],
      [{ ...base, name: undefined }, /Missing value for required parameter 'name'/],
      [{ ...base, url: 'ftp://x/y' }, /scheme 'ftp'/],
      [{ ...base, events: [] }, /non-empty/],
      [{ ...base, events: [{ entity: 'REGISTERED_MODEL', action: 'DELETED' }] }, /valid actions are created/],
      [{ ...base, events: [{ entity: 'EXPERIMENT', action: 'CREATED' }] }, /events/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(app, `${api}/webhooks`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(answer.body.message).toMatch(message);
    }
    expect((await get(app, `${api}/webhooks`)).body).toEqual({});
  });

  it('refuses private and loopback targets at create and update without the allow flag', async () => {
    const app = server(false);
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://localhost:8080/x',
      'http://2130706433/x',
      'http://0177.0.0.1/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.8/x',
    ]) {
      const answer = await post(app, `${api}/webhooks`, {
        name: 'h',
        url,
        events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
      });
      expect(answer.status, url).toBe(400);
      expect(answer.body.message).toMatch(/not a public address/);
    }
    const publicHook = await post(app, `${api}/webhooks`, {
      name: 'h',
      url: 'https://93.184.216.34/x',
      events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
    });
    expect(publicHook.status).toBe(200);
    const id = (publicHook.body.webhook as { webhook_id: string }).webhook_id;
    const moved = await send(app, 'PATCH', `${api}/webhooks/${id}`, { url: 'http://127.0.0.1/x' });
    expect(moved.status).toBe(400);
    expect((await get(app, `${api}/webhooks/${id}`)).body.webhook).toMatchObject({
      url: 'https://93.184.216.34/x',
    });
  });

  it('delivers a signed event to the receiver for each registry action made over REST', async () => {
    const app = server(true);
    const target = await receiver();
    await post(app, `${api}/webhooks`, {
      name: 'all',
      url: target.url,
      events: allRegistryEvents,
      secret: 'k',
    });
    await post(app, `${api}/registered-models/create`, { name: 'm' });
    await post(app, `${api}/model-versions/create`, { name: 'm', source: 's3://bucket/m/1' });
    await post(app, `${api}/model-versions/set-tag`, { name: 'm', version: '1', key: 'a', value: 'b' });
    await send(app, 'DELETE', `${api}/model-versions/delete-tag`, { name: 'm', version: '1', key: 'a' });
    await post(app, `${api}/registered-models/alias`, { name: 'm', alias: 'prod', version: '1' });
    await send(app, 'DELETE', `${api}/registered-models/alias`, { name: 'm', alias: 'prod' });
    await target.received(6);
    const events = target.requests.map((request) => JSON.parse(request.body));
    expect(events.map((body) => `${body.entity}.${body.action}`).sort()).toEqual(
      [
        'registered_model.created',
        'model_version.created',
        'model_version_tag.set',
        'model_version_tag.deleted',
        'model_version_alias.created',
        'model_version_alias.deleted',
      ].sort(),
    );
    for (const request of target.requests) {
      const id = request.headers['x-mlflow-delivery-id'];
      const timestamp = request.headers['x-mlflow-timestamp'];
      const expected = createHmac('sha256', 'k')
        .update(`${id}.${timestamp}.${request.body}`)
        .digest('base64');
      expect(request.headers['x-mlflow-signature']).toBe(`v1,${expected}`);
    }
  });

  it('answers the registry call even when the webhook’s receiver fails', async () => {
    const app = server(true);
    const target = await receiver(() => 500);
    await post(app, `${api}/webhooks`, {
      name: 'broken',
      url: target.url,
      events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }],
    });
    const created = await post(app, `${api}/registered-models/create`, { name: 'still-fine' });
    expect(created.status).toBe(200);
    await target.received(4);
    expect((await get(app, `${api}/registered-models/get?name=still-fine`)).status).toBe(200);
  });

  it('tests a webhook: the example payload now, reporting status and body as MLflow does', async () => {
    const app = server(true);
    const target = await receiver((index) => (index === 0 ? 200 : 404));
    const created = await post(app, `${api}/webhooks`, {
      name: 't',
      url: target.url,
      events: [{ entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' }],
      status: 'DISABLED',
    });
    const id = (created.body.webhook as { webhook_id: string }).webhook_id;
    const ok = await post(app, `${api}/webhooks/${id}/test`, {});
    expect(ok.body).toEqual({ result: { success: true, response_status: 200, response_body: 'answer 0' } });
    expect(JSON.parse(target.requests[0]?.body ?? '{}')).toMatchObject({
      entity: 'model_version_alias',
      action: 'created',
      data: { name: 'example_model', alias: 'example_alias', version: '1' },
    });
    const failed = await post(app, `${api}/webhooks/${id}/test`, {
      event: { entity: 'REGISTERED_MODEL', action: 'CREATED' },
    });
    expect(failed.body).toEqual({
      result: { success: false, response_status: 404, response_body: 'answer 1' },
    });
    expect(JSON.parse(target.requests[1]?.body ?? '{}').entity).toBe('registered_model');
    expect((await post(app, `${api}/webhooks/nope/test`, {})).status).toBe(404);
  });

  it('answers NOT_IMPLEMENTED without a webhook store, as MLflow’s file store does', async () => {
    const app = memoryServer({ backendStoreType: 'FileStore' });
    apps.push(app);
    const answer = await post(app, `${api}/webhooks`, { name: 'x' });
    expect(answer.status).toBe(501);
    expect(answer.body).toEqual({
      error_code: 'NOT_IMPLEMENTED',
      message: 'FileStore does not support create_webhook',
    });
    expect((await get(app, `${api}/webhooks/abc`)).body.message).toBe(
      'FileStore does not support get_webhook',
    );
  });
});
