import { type WebhookEvent, webhookEventName } from '@cairn/core';

/** The `data` of one delivery: the fields MLflow 3.18.0 sends for the event (see MLflow's webhooks/types.py). */
export type WebhookPayload = Readonly<Record<string, string | null | Readonly<Record<string, string>>>>;

const exampleTags = { example_key: 'example_value' };

/** The payload `test_webhook` sends for each event, as MLflow's examples have it. */
const examplePayloads: Readonly<Record<string, WebhookPayload>> = {
  'registered_model.created': {
    name: 'example_model',
    tags: exampleTags,
    description: 'An example registered model',
  },
  'model_version.created': {
    name: 'example_model',
    version: '1',
    source: 'models:/123',
    run_id: 'abcd1234abcd5678',
    tags: exampleTags,
    description: 'An example model version',
  },
  'model_version_tag.set': {
    name: 'example_model',
    version: '1',
    key: 'example_key',
    value: 'example_value',
  },
  'model_version_tag.deleted': { name: 'example_model', version: '1', key: 'example_key' },
  'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
  'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
  'prompt.created': { name: 'example_prompt', tags: exampleTags, description: 'An example prompt' },
  'prompt_version.created': {
    name: 'example_prompt',
    version: '1',
    template: 'Hello {{name}}!',
    tags: exampleTags,
    description: 'An example prompt version',
  },
  'prompt_tag.set': { name: 'example_prompt', key: 'example_key', value: 'example_value' },
  'prompt_tag.deleted': { name: 'example_prompt', key: 'example_key' },
  'prompt_version_tag.set': {
    name: 'example_prompt',
    version: '1',
    key: 'example_key',
    value: 'example_value',
  },
  'prompt_version_tag.deleted': { name: 'example_prompt', version: '1', key: 'example_key' },
  'prompt_alias.created': { name: 'example_prompt', alias: 'example_alias', version: '1' },
  'prompt_alias.deleted': { name: 'example_prompt', alias: 'example_alias' },
};

/** MLflow's example payload for an event (what `test_webhook` delivers); undefined for one it has none for. */
export function exampleWebhookPayload(event: WebhookEvent): WebhookPayload | undefined {
  return examplePayloads[webhookEventName(event)];
}

/** Python's `json.dumps` defaults (`", "` and `": "` separators, non-ASCII as `\uXXXX`): the bytes MLflow signs. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `{${entries.map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`).join(', ')}}`;
}

/** Python's `datetime.now(timezone.utc).isoformat()`: microseconds and `+00:00`. */
function pythonUtcIsoformat(date: Date): string {
  return date.toISOString().replace(/Z$/, '000+00:00');
}

/** The body MLflow posts: `{"entity", "action", "timestamp", "data"}`, serialised as Python does. */
export function webhookBody(event: WebhookEvent, payload: WebhookPayload, now = new Date()): string {
  return pythonJsonDumps({
    entity: event.entity,
    action: event.action,
    timestamp: pythonUtcIsoformat(now),
    data: payload,
  });
}
