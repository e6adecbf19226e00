import type { Command } from 'commander';
import {
  aliasOption,
  collectTag,
  modelVersionDetails,
  nameOption,
  type RegistryAction,
  registeredModelDetails,
  registeredModelsTable,
  searchAll,
  searchOptions,
  versionOption,
} from './registry-options.js';

/** `cairn registered-models ...`: MlflowClient's registered-model calls, with MLflow's argument names as flags. */
export function registerRegisteredModelCommands(program: Command, action: RegistryAction): void {
  const models = program
    .command('registered-models')
    .description('Create, search, rename, update, tag, alias and delete registered models');

  action(
    models
      .command('create')
      .description('Create a registered model')
      .addOption(nameOption())
      .option('-d, --description <text>', 'the description')
      .option('-t, --tag <key=value>', 'a tag (repeatable)', collectTag),
    async (context, options) => {
      const model = await context.client().createRegisteredModel(String(options.name), {
        ...(typeof options.description === 'string' ? { description: options.description } : {}),
        ...(options.tag === undefined ? {} : { tags: options.tag as Record<string, string> }),
      });
      if (context.json) context.printJson(model);
      else context.print(`Created registered model '${model.name}'.`);
    },
  );

  action(
    models
      .command('get')
      .description("Show a registered model's fields, latest versions, aliases and tags")
      .addOption(nameOption()),
    async (context, options) => {
      const model = await context.client().getRegisteredModel(String(options.name));
      if (context.json) context.printJson(model);
      else context.print(registeredModelDetails(model));
    },
  );

  const search = (command: Command) =>
    action(searchOptions(command, "name LIKE 'churn%'"), async (context, options) => {
      const client = context.client();
      const found = await searchAll(options, 1000, (input) => client.searchRegisteredModels(input));
      if (context.json) context.printJson(found);
      else context.print(registeredModelsTable(found));
    });
  search(models.command('search').description('Search registered models'));
  search(models.command('list').description('List registered models (alias of search)'));

  action(
    models
      .command('rename')
      .description('Rename a registered model (its versions, tags and aliases follow)')
      .addOption(nameOption())
      .requiredOption('--new-name <name>', 'the new name'),
    async (context, options) => {
      const model = await context
        .client()
        .renameRegisteredModel(String(options.name), String(options.newName));
      if (context.json) context.printJson(model);
      else context.print(`Registered model '${options.name}' has been renamed to '${model.name}'.`);
    },
  );

  action(
    models
      .command('update')
      .description("Set a registered model's description (empty clears it)")
      .addOption(nameOption())
      .requiredOption('-d, --description <text>', 'the new description'),
    async (context, options) => {
      const description = String(options.description);
      const model = await context
        .client()
        .updateRegisteredModel(String(options.name), description || undefined);
      if (context.json) context.printJson(model);
      else context.print(`Registered model '${model.name}' has been updated.`);
    },
  );

  action(
    models
      .command('delete')
      .description('Delete a registered model and all its versions')
      .addOption(nameOption()),
    async (context, options) => {
      await context.client().deleteRegisteredModel(String(options.name));
      if (context.json) context.printJson({ name: options.name, deleted: true });
      else context.print(`Registered model '${options.name}' has been deleted.`);
    },
  );

  action(
    models
      .command('set-tag')
      .description('Set a tag on a registered model')
      .addOption(nameOption())
      .requiredOption('-k, --key <key>', 'the tag key')
      .requiredOption('--value <value>', 'the tag value'),
    async (context, options) => {
      await context
        .client()
        .setRegisteredModelTag(String(options.name), String(options.key), String(options.value));
      if (context.json) context.printJson({ name: options.name, key: options.key, value: options.value });
      else context.print(`Set tag '${options.key}' on registered model '${options.name}'.`);
    },
  );

  action(
    models
      .command('delete-tag')
      .description('Delete a tag of a registered model')
      .addOption(nameOption())
      .requiredOption('-k, --key <key>', 'the tag key'),
    async (context, options) => {
      await context.client().deleteRegisteredModelTag(String(options.name), String(options.key));
      if (context.json) context.printJson({ name: options.name, key: options.key, deleted: true });
      else context.print(`Deleted tag '${options.key}' of registered model '${options.name}'.`);
    },
  );

  action(
    models
      .command('set-alias')
      .description('Point an alias at a version, moving it if set elsewhere')
      .addOption(nameOption())
      .addOption(aliasOption())
      .addOption(versionOption()),
    async (context, options) => {
      await context
        .client()
        .setRegisteredModelAlias(String(options.name), String(options.alias), String(options.modelVersion));
      if (context.json)
        context.printJson({ name: options.name, alias: options.alias, version: options.modelVersion });
      else
        context.print(
          `Alias '${options.alias}' of '${options.name}' now points at version ${options.modelVersion}.`,
        );
    },
  );

  action(
    models
      .command('delete-alias')
      .description('Remove an alias')
      .addOption(nameOption())
      .addOption(aliasOption()),
    async (context, options) => {
      await context.client().deleteRegisteredModelAlias(String(options.name), String(options.alias));
      if (context.json) context.printJson({ name: options.name, alias: options.alias, deleted: true });
      else context.print(`Alias '${options.alias}' of '${options.name}' has been deleted.`);
    },
  );

  action(
    models
      .command('get-by-alias')
      .description('Show the version an alias points at (latest: the highest version)')
      .addOption(nameOption())
      .addOption(aliasOption()),
    async (context, options) => {
      const version = await context
        .client()
        .getModelVersionByAlias(String(options.name), String(options.alias));
      if (context.json) context.printJson(version);
      else context.print(modelVersionDetails(version));
    },
  );
}
