import type { Webhook, WebhookStore } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { expectCairnError, expectFieldNamed } from '../expect-cairn-error.js';
import { useFreshStore } from '../fresh-store.js';
import { type DescribeStoreOptions, describeNamedSuites } from '../named-suites.js';

/** The named suites of {@link describeWebhookStore}, in run order. */
export const webhookSuiteNames = ['crud', 'validation', 'listing'] as const;

/** The name of one suite of {@link describeWebhookStore}. */
export type WebhookSuiteName = (typeof webhookSuiteNames)[number];

type Context = () => WebhookStore;

const created = { entity: 'model_version', action: 'created' } as const;
const tagSet = { entity: 'model_version_tag', action: 'set' } as const;
const aliasCreated = { entity: 'model_version_alias', action: 'created' } as const;

const input = (name: string, extra: Partial<Parameters<WebhookStore['createWebhook']>[0]> = {}) => ({
  name,
  url: 'https://hooks.example.com/mlflow',
  events: [created],
  ...extra,
});

function crudSuite(store: Context): void {
  it('creates a webhook ACTIVE by default and reads it back with its secret', async () => {
    const hook = await store().createWebhook(
      input('deploy-hook', { description: 'ship it', secret: 's3cret', events: [created, tagSet] }),
    );
    expect(hook.webhook_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(hook.status).toBe('ACTIVE');
    expect(hook.creation_timestamp).toBe(hook.last_updated_timestamp);
    const read = await store().getWebhook(hook.webhook_id);
    expect(read).toMatchObject({
      name: 'deploy-hook',
      description: 'ship it',
      url: 'https://hooks.example.com/mlflow',
      secret: 's3cret',
      status: 'ACTIVE',
    });
    expect(sortEvents(read.events)).toEqual(sortEvents([created, tagSet]));
  });

  it('updates only the fields given, and the update time', async () => {
    const hook = await store().createWebhook(input('a', { description: 'first', secret: 'k1' }));
    const updated = await store().updateWebhook(hook.webhook_id, {
      status: 'DISABLED',
      events: [aliasCreated],
    });
    expect(updated).toMatchObject({ name: 'a', description: 'first', secret: 'k1', status: 'DISABLED' });
    expect(updated.events).toEqual([aliasCreated]);
    expect(updated.last_updated_timestamp).toBeGreaterThan(hook.last_updated_timestamp);
    const renamed = await store().updateWebhook(hook.webhook_id, {
      name: 'b',
      url: 'https://other.example.com/x',
      secret: '',
    });
    expect(renamed).toMatchObject({ name: 'b', url: 'https://other.example.com/x', status: 'DISABLED' });
    expect(renamed.secret).toBeUndefined();
    expect((await store().getWebhook(hook.webhook_id)).events).toEqual([aliasCreated]);
  });

  it('deletes a webhook: it is gone from get, update, delete and listings', async () => {
    const hook = await store().createWebhook(input('gone'));
    await store().deleteWebhook(hook.webhook_id);
    for (const action of [
      () => store().getWebhook(hook.webhook_id),
      () => store().updateWebhook(hook.webhook_id, { name: 'x' }),
      () => store().deleteWebhook(hook.webhook_id),
    ]) {
      const error = await expectCairnError(action, 'RESOURCE_DOES_NOT_EXIST');
      expect(error.message).toBe(`Webhook with ID ${hook.webhook_id} not found.`);
    }
    expect((await store().listWebhooks({})).items).toEqual([]);
    expect((await store().listWebhooksByEvent(created, {})).items).toEqual([]);
  });

  it('answers RESOURCE_DOES_NOT_EXIST for an id never created', async () => {
    await expectCairnError(
      store().getWebhook('00000000-0000-0000-0000-000000000000'),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });
}

function sortEvents(events: Webhook['events']) {
  return [...events].sort((a, b) => `${a.entity}.${a.action}`.localeCompare(`${b.entity}.${b.action}`));
}

function validationSuite(store: Context): void {
  const bad: [string, string, () => Parameters<WebhookStore['createWebhook']>[0]][] = [
    ['an empty name', 'name', () => input('')],
    ['a name of 64 characters', 'name', () => input('n'.repeat(64))],
    ['a name with a space', 'name', () => input('my hook')],
    ['a name ending in a hyphen', 'name', () => input('hook-')],
    ['a URL without a scheme', 'url', () => input('h', { url: 'hooks.example.com/x' })],
    ['an ftp URL', 'url', () => input('h', { url: 'ftp://hooks.example.com/x' })],
    ['a file URL', 'url', () => input('h', { url: 'file:///etc/passwd' })],
    ['a URL of 501 characters', 'url', () => input('h', { url: `https://e.com/${'a'.repeat(487)}` })],
    ['no events', 'events', () => input('h', { events: [] })],
    [
      'an unknown entity',
      'events',
      () => input('h', { events: [{ entity: 'experiment', action: 'created' } as never] }),
    ],
    [
      'an action the entity has not',
      'events',
      () => input('h', { events: [{ entity: 'registered_model', action: 'deleted' }] }),
    ],
    ['a description of 1001 characters', 'description', () => input('h', { description: 'd'.repeat(1001) })],
    ['an unknown status', 'status', () => input('h', { status: 'PAUSED' as never })],
  ];
  for (const [what, field, make] of bad) {
    it(`refuses ${what} with INVALID_PARAMETER_VALUE naming '${field}', storing nothing`, async () => {
      const error = await expectCairnError(store().createWebhook(make()), 'INVALID_PARAMETER_VALUE');
      expectFieldNamed(error, field);
      expect((await store().listWebhooks({})).items).toEqual([]);
    });
  }

  it('accepts a name of 63 characters and every event MLflow defines', async () => {
    const hook = await store().createWebhook(
      input('n'.repeat(63), {
        events: [
          { entity: 'registered_model', action: 'created' },
          created,
          tagSet,
          { entity: 'model_version_tag', action: 'deleted' },
          aliasCreated,
          { entity: 'model_version_alias', action: 'deleted' },
          { entity: 'prompt', action: 'created' },
          { entity: 'prompt_version', action: 'created' },
          { entity: 'prompt_tag', action: 'set' },
          { entity: 'prompt_alias', action: 'deleted' },
          { entity: 'budget_policy', action: 'exceeded' },
        ],
      }),
    );
    expect(hook.events).toHaveLength(11);
  });

  it('refuses a bad update and leaves the webhook as it was', async () => {
    const hook = await store().createWebhook(input('keep'));
    const error = await expectCairnError(
      store().updateWebhook(hook.webhook_id, { name: 'fine', url: 'gopher://x' }),
      'INVALID_PARAMETER_VALUE',
    );
    expectFieldNamed(error, 'url');
    const read = await store().getWebhook(hook.webhook_id);
    expect(read).toMatchObject({ name: 'keep', url: hook.url });
  });
}

function listingSuite(store: Context): void {
  it('lists newest first in pages, with a token until the last page', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await store().createWebhook(input(`hook-${index}`))).webhook_id);
    }
    const first = await store().listWebhooks({ maxResults: 2 });
    expect(first.items.map((hook) => hook.name)).toEqual(['hook-4', 'hook-3']);
    expect(first.nextPageToken).toBeDefined();
    const second = await store().listWebhooks({ maxResults: 2, pageToken: first.nextPageToken as string });
    expect(second.items.map((hook) => hook.name)).toEqual(['hook-2', 'hook-1']);
    const third = await store().listWebhooks({ maxResults: 2, pageToken: second.nextPageToken as string });
    expect(third.items.map((hook) => hook.name)).toEqual(['hook-0']);
    expect(third.nextPageToken).toBeUndefined();
    expect((await store().listWebhooks({})).items.map((hook) => hook.webhook_id)).toEqual([...ids].reverse());
  });

  it('lists by event only the webhooks subscribed to it, whatever their status', async () => {
    const a = await store().createWebhook(input('a', { events: [created, tagSet] }));
    const b = await store().createWebhook(input('b', { events: [tagSet], status: 'DISABLED' }));
    await store().createWebhook(input('c', { events: [aliasCreated] }));
    const byTag = await store().listWebhooksByEvent(tagSet, {});
    expect(byTag.items.map((hook) => hook.webhook_id)).toEqual([b.webhook_id, a.webhook_id]);
    expect(byTag.items[0]?.status).toBe('DISABLED');
    const byCreated = await store().listWebhooksByEvent(created, {});
    expect(byCreated.items.map((hook) => hook.name)).toEqual(['a']);
    expect(byCreated.items[0]?.events).toHaveLength(2);
  });

  it('refuses max_results outside 1..1000 and a token it did not issue', async () => {
    for (const maxResults of [-1, 1001]) {
      const error = await expectCairnError(store().listWebhooks({ maxResults }), 'INVALID_PARAMETER_VALUE');
      expect(error.message).toContain('between 1 and 1000');
    }
    await expectCairnError(store().listWebhooks({ pageToken: 'not-a-token' }), 'INVALID_PARAMETER_VALUE');
  });
}

const suites: Record<WebhookSuiteName, (context: Context) => void> = {
  crud: crudSuite,
  validation: validationSuite,
  listing: listingSuite,
};

/**
 * Declares the webhook conformance suites (MLflow 3's registry webhooks) for a store. `factory` is called
 * before every test for a fresh, empty store, which is closed after the test.
 */
export function describeWebhookStore(
  name: string,
  factory: () => WebhookStore | Promise<WebhookStore>,
  options: DescribeStoreOptions = {},
): void {
  describe(`WebhookStore conformance: ${name}`, () => {
    const store = useFreshStore('webhook', factory);
    describeNamedSuites(
      webhookSuiteNames.map((suiteName) => [suiteName, suites[suiteName]] as const),
      store,
      options,
    );
  });
}
