import type { RegistryStore, WebhookEvent, WebhookStore } from '@cairn/core';
import { createMemoryRegistryStore, createMemoryWebhookStore } from '@cairn/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from './test-receiver.js';
import { createWebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import { withWebhookDelivery } from './with-webhook-delivery.js';

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const local = { allowPrivateTargets: true, allowedSchemes: ['http'], backoffMs: 10 } as const;

async function setup(options: WebhookDispatcherOptions = {}, answer?: Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const webhooks: WebhookStore = createMemoryWebhookStore();
  const errors: unknown[] = [];
  const delivered: number[] = [];
  const dispatcher = createWebhookDispatcher(webhooks, {
    ...local,
    onError: (error) => errors.push(error),
    onDelivered: (response) => delivered.push(response.status),
    ...options,
  });
  const registry = withWebhookDelivery(createMemoryRegistryStore(), dispatcher);
  const subscribe = (
    events: WebhookEvent[],
    extra: Partial<Parameters<WebhookStore['createWebhook']>[0]> = {},
  ) => webhooks.createWebhook({ name: `hook-${events.length}`, url: receiver.url, events, ...extra });
  const bodies = () => receiver.requests.map((request) => JSON.parse(request.body));
  return { receiver, webhooks, dispatcher, registry, subscribe, bodies, errors, delivered };
}

const all: WebhookEvent[] = [
  { entity: 'registered_model', action: 'created' },
  { entity: 'model_version', action: 'created' },
  { entity: 'model_version_tag', action: 'set' },
  { entity: 'model_version_tag', action: 'deleted' },
  { entity: 'model_version_alias', action: 'created' },
  { entity: 'model_version_alias', action: 'deleted' },
];

describe('withWebhookDelivery', () => {
  it('delivers each registry write as MLflow’s event with MLflow’s payload', async () => {
    const { registry, subscribe, dispatcher, bodies } = await setup();
    await subscribe(all);
    await registry.createRegisteredModel({
      name: 'm',
      tags: [{ key: 'team', value: 'a' }],
      description: 'd',
    });
    await dispatcher.drain();
    await registry.createModelVersion({
      name: 'm',
      source: 's3://b/m/1',
      runId: 'r1',
      tags: [{ key: 'k', value: 'v' }],
    });
    await dispatcher.drain();
    await registry.setModelVersionTag('m', '1', { key: 'stage', value: 'ok' });
    await dispatcher.drain();
    await registry.deleteModelVersionTag('m', '1', 'stage');
    await dispatcher.drain();
    await registry.setRegisteredModelAlias('m', 'champion', '1');
    await dispatcher.drain();
    await registry.deleteRegisteredModelAlias('m', 'champion');
    await dispatcher.drain();
    expect(bodies().map((body) => [`${body.entity}.${body.action}`, body.data])).toEqual([
      ['registered_model.created', { name: 'm', tags: { team: 'a' }, description: 'd' }],
      [
        'model_version.created',
        { name: 'm', version: '1', source: 's3://b/m/1', run_id: 'r1', tags: { k: 'v' }, description: null },
      ],
      ['model_version_tag.set', { name: 'm', version: '1', key: 'stage', value: 'ok' }],
      ['model_version_tag.deleted', { name: 'm', version: '1', key: 'stage' }],
      ['model_version_alias.created', { name: 'm', alias: 'champion', version: '1' }],
      ['model_version_alias.deleted', { name: 'm', alias: 'champion' }],
    ]);
  });

  it('delivers only to ACTIVE webhooks subscribed to the event, and nothing for reads or failed writes', async () => {
    const { registry, subscribe, dispatcher, receiver, webhooks } = await setup();
    await subscribe([{ entity: 'model_version_alias', action: 'created' }]);
    await subscribe([{ entity: 'registered_model', action: 'created' }], { name: 'off', status: 'DISABLED' });
    await registry.createRegisteredModel({ name: 'm' });
    await registry.getRegisteredModel('m');
    await expect(registry.createRegisteredModel({ name: 'm' })).rejects.toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
    });
    await expect(registry.setRegisteredModelAlias('m', 'a', '9')).rejects.toBeDefined();
    await dispatcher.drain();
    expect(receiver.requests).toHaveLength(0);
    expect((await webhooks.listWebhooks({})).items).toHaveLength(2);
  });

  it('sends the prompt events for a prompt', async () => {
    const { registry, subscribe, dispatcher, bodies } = await setup();
    await subscribe([
      { entity: 'prompt', action: 'created' },
      { entity: 'prompt_version', action: 'created' },
      { entity: 'prompt_tag', action: 'set' },
      { entity: 'prompt_alias', action: 'created' },
      { entity: 'registered_model', action: 'created' },
    ]);
    const isPrompt = { key: 'mlflow.prompt.is_prompt', value: 'true' };
    await registry.createRegisteredModel({ name: 'p', tags: [isPrompt, { key: 'owner', value: 'x' }] });
    await registry.createModelVersion({
      name: 'p',
      source: 'dummy-source',
      tags: [isPrompt, { key: 'mlflow.prompt.text', value: 'Hi {{name}}' }],
    });
    await registry.setRegisteredModelTag('p', { key: 'lang', value: 'en' });
    await registry.setRegisteredModelAlias('p', 'prod', '1');
    await dispatcher.drain();
    expect(bodies().map((body) => [`${body.entity}.${body.action}`, body.data])).toEqual(
      expect.arrayContaining([
        ['prompt.created', { name: 'p', tags: { owner: 'x' }, description: '' }],
        [
          'prompt_version.created',
          { name: 'p', version: '1', template: 'Hi {{name}}', tags: {}, description: null },
        ],
        ['prompt_tag.set', { name: 'p', key: 'lang', value: 'en' }],
        ['prompt_alias.created', { name: 'p', alias: 'prod', version: '1' }],
      ]),
    );
    expect(bodies()).toHaveLength(4);
  });

  it('answers the registry call without waiting for a receiver that never answers', async () => {
    const { registry, subscribe, receiver, dispatcher } = await setup(
      { timeoutMs: 60_000, maxRetries: 0 },
      () => 'hang',
    );
    await subscribe([{ entity: 'registered_model', action: 'created' }]);
    // Would hang until the test timed out if the registry call waited for the delivery.
    const model = await registry.createRegisteredModel({ name: 'quick' });
    expect(model.name).toBe('quick');
    await receiver.received(1);
    await receiver.close();
    await dispatcher.drain();
  });

  it('never fails the registry call when delivery fails; the failure is reported', async () => {
    const { registry, subscribe, dispatcher, errors, delivered } = await setup({ maxRetries: 1 }, () => ({
      status: 500,
    }));
    await subscribe([{ entity: 'registered_model', action: 'created' }]);
    await registry.createRegisteredModel({ name: 'still-created' });
    await dispatcher.drain();
    expect(delivered).toEqual([500]);
    expect((await registry.getRegisteredModel('still-created')).name).toBe('still-created');

    const refused = await setup({ allowPrivateTargets: false });
    await refused.subscribe([{ entity: 'registered_model', action: 'created' }]);
    await expect(refused.registry.createRegisteredModel({ name: 'also-created' })).resolves.toMatchObject({
      name: 'also-created',
    });
    await refused.dispatcher.drain();
    expect(refused.errors).toHaveLength(1);
    expect(String(refused.errors[0])).toMatch(/not a public address/);
    expect(refused.receiver.requests).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('retries a 500 twice then delivers once on 200', async () => {
    const { registry, subscribe, dispatcher, delivered, receiver } = await setup({}, (index) =>
      index < 2 ? { status: 500 } : { status: 200 },
    );
    await subscribe([{ entity: 'registered_model', action: 'created' }]);
    await registry.createRegisteredModel({ name: 'm' });
    await dispatcher.drain();
    expect(delivered).toEqual([200]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('test() delivers the example payload now and reports status and body, or the error', async () => {
    const { dispatcher, subscribe } = await setup({}, () => ({ status: 201, body: 'thanks' }));
    const hook = await subscribe([{ entity: 'model_version_alias', action: 'deleted' }], {
      status: 'DISABLED',
    });
    expect(await dispatcher.test(hook)).toEqual({
      success: true,
      response_status: 201,
      response_body: 'thanks',
    });
    const refused = createWebhookDispatcher(createMemoryWebhookStore(), { allowedSchemes: ['http'] });
    const result = await refused.test(hook, { entity: 'model_version', action: 'created' });
    expect(result.success).toBe(false);
    expect(result.error_message).toMatch(/^Failed to test webhook: .*not a public address/);
  });

  it('decorates a store written as a class, with private fields and prototype methods', async () => {
    class ClassRegistry {
      readonly #inner = createMemoryRegistryStore();
      readonly specificationVersion = 'v1';
      get capabilities() {
        return this.#inner.capabilities;
      }
      createRegisteredModel(input: Parameters<RegistryStore['createRegisteredModel']>[0]) {
        return this.#inner.createRegisteredModel(input);
      }
      getRegisteredModel(name: string) {
        return this.#inner.getRegisteredModel(name);
      }
    }
    const receiver = await startReceiver();
    receivers.push(receiver);
    const webhooks = createMemoryWebhookStore();
    await webhooks.createWebhook({
      name: 'h',
      url: receiver.url,
      events: [{ entity: 'registered_model', action: 'created' }],
    });
    const dispatcher = createWebhookDispatcher(webhooks, local);
    const registry = withWebhookDelivery(new ClassRegistry() as unknown as RegistryStore, dispatcher);
    await registry.createRegisteredModel({ name: 'from-class' });
    expect((await registry.getRegisteredModel('from-class')).name).toBe('from-class');
    expect(registry.capabilities).toBeDefined();
    await dispatcher.drain();
    expect(receiver.requests).toHaveLength(1);
  });
});
