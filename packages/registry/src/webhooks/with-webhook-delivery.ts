import type { RegistryStore, WebhookEntity, WebhookEvent } from '@cairn/core';
import type { WebhookDispatcher, WebhookEventDelivery } from './webhook-dispatcher.js';
import type { WebhookPayload } from './webhook-payloads.js';

/** MLflow's prompt tags: a registered model with `mlflow.prompt.is_prompt=true` is a prompt. */
const isPromptTag = 'mlflow.prompt.is_prompt';
const promptTypeTag = '_mlflow_prompt_type';
const promptTextTag = 'mlflow.prompt.text';

const tagMap = (tags: readonly { key: string; value: string }[] | undefined, drop: readonly string[] = []) =>
  Object.fromEntries(
    (tags ?? []).filter((tag) => !drop.includes(tag.key)).map((tag) => [tag.key, tag.value]),
  );

const taggedPrompt = (tags: readonly { key: string; value: string }[] | undefined) =>
  (tagMap(tags)[isPromptTag] ?? 'false').toLowerCase() === 'true';

const event = (entity: WebhookEntity, action: WebhookEvent['action']): WebhookEvent => ({ entity, action });

/**
 * Decorates a registry so each successful write tells the webhooks subscribed to it, as MLflow's server
 * does: a registered model or version created, a version tag set or deleted, an alias set or deleted (and
 * their `prompt*` twins when the model is a prompt; a registered-model tag only for prompts). The call
 * answers as the registry answered; events are worked out and delivered afterwards, in the background, so
 * a slow or failing webhook never slows or fails the registry call. Reads pass through unchanged.
 */
export function withWebhookDelivery(registry: RegistryStore, dispatcher: WebhookDispatcher): RegistryStore {
  const isPrompt = async (name: string) => taggedPrompt((await registry.getRegisteredModel(name)).tags);
  const later = (
    produce: () =>
      | Promise<{ event: WebhookEvent; payload: WebhookPayload } | undefined>
      | { event: WebhookEvent; payload: WebhookPayload }
      | undefined,
  ) => dispatcher.dispatch(produce);

  const writes: Partial<RegistryStore> = {
    async createRegisteredModel(input) {
      const model = await registry.createRegisteredModel(input);
      later(() =>
        taggedPrompt(input.tags)
          ? {
              event: event('prompt', 'created'),
              payload: {
                name: model.name,
                tags: tagMap(input.tags, [isPromptTag, promptTypeTag]),
                description: input.description ?? '',
              },
            }
          : {
              event: event('registered_model', 'created'),
              payload: { name: model.name, tags: tagMap(input.tags), description: input.description ?? '' },
            },
      );
      return model;
    },
    async setRegisteredModelTag(name, tag) {
      await registry.setRegisteredModelTag(name, tag);
      later(async () =>
        (await isPrompt(name))
          ? { event: event('prompt_tag', 'set'), payload: { name, key: tag.key, value: tag.value } }
          : undefined,
      );
    },
    async deleteRegisteredModelTag(name, key) {
      await registry.deleteRegisteredModelTag(name, key);
      later(async () =>
        (await isPrompt(name))
          ? { event: event('prompt_tag', 'deleted'), payload: { name, key } }
          : undefined,
      );
    },
    async createModelVersion(input) {
      const version = await registry.createModelVersion(input);
      later((): WebhookEventDelivery => {
        if (taggedPrompt(input.tags)) {
          const tags = tagMap(input.tags, [isPromptTag, promptTypeTag, promptTextTag]);
          return {
            event: event('prompt_version', 'created'),
            payload: {
              name: version.name,
              version: version.version,
              template: tagMap(input.tags)[promptTextTag] ?? null,
              tags,
              description: input.description || null,
            },
          };
        }
        return {
          event: event('model_version', 'created'),
          payload: {
            name: version.name,
            version: version.version,
            source: version.source,
            run_id: version.run_id || null,
            tags: tagMap(input.tags),
            description: input.description || null,
          },
        };
      });
      return version;
    },
    async setModelVersionTag(name, version, tag) {
      await registry.setModelVersionTag(name, version, tag);
      later(async () => ({
        event: event((await isPrompt(name)) ? 'prompt_version_tag' : 'model_version_tag', 'set'),
        payload: { name, version, key: tag.key, value: tag.value },
      }));
    },
    async deleteModelVersionTag(name, version, key) {
      await registry.deleteModelVersionTag(name, version, key);
      later(async () => ({
        event: event((await isPrompt(name)) ? 'prompt_version_tag' : 'model_version_tag', 'deleted'),
        payload: { name, version, key },
      }));
    },
    async setRegisteredModelAlias(name, alias, version) {
      await registry.setRegisteredModelAlias(name, alias, version);
      later(async () => ({
        event: event((await isPrompt(name)) ? 'prompt_alias' : 'model_version_alias', 'created'),
        payload: { name, alias, version },
      }));
    },
    async deleteRegisteredModelAlias(name, alias) {
      await registry.deleteRegisteredModelAlias(name, alias);
      later(async () => ({
        event: event((await isPrompt(name)) ? 'prompt_alias' : 'model_version_alias', 'deleted'),
        payload: { name, alias },
      }));
    },
  };
  // A Proxy rather than a spread, so a store written as a class (methods on its prototype, private fields)
  // keeps working: everything but the writes above goes to the store itself.
  return new Proxy(registry, {
    get(target, property) {
      if (Object.hasOwn(writes, property)) return writes[property as keyof RegistryStore];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
