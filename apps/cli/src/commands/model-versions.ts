import type { Command } from 'commander';
import { UsageError } from '../cli-context.js';
import {
  aliasOption,
  collectTag,
  modelVersionDetails,
  modelVersionsTable,
  nameOption,
  type RegistryAction,
  searchAll,
  searchOptions,
  versionOption,
} from './registry-options.js';

/** `cairn model-versions ...`: MlflowClient's model-version calls, with MLflow's argument names as flags. */
export function registerModelVersionCommands(program: Command, action: RegistryAction): void {
  const versions = program
    .command('model-versions')
    .description('Create, register, search, update, tag, alias, stage and delete model versions');

  action(
    versions
      .command('create')
      .description('Create the next version of a registered model from a source URI')
      .addOption(nameOption())
      .requiredOption('-s, --source <uri>', "where the model's files are (s3://..., models:/..., runs:/...)")
      .option('-r, --run-id <id>', 'the run that produced the model')
      .option('--model-id <id>', 'the MLflow 3 logged model (m-...) this version promotes')
      .option('--run-link <url>', 'a link to the run')
      .option('-d, --description <text>', 'the description')
      .option('-t, --tag <key=value>', 'a tag (repeatable)', collectTag),
    async (context, options) => {
      const version = await context
        .client()
        .createModelVersion(String(options.name), String(options.source), {
          ...(typeof options.runId === 'string' ? { runId: options.runId } : {}),
          ...(typeof options.modelId === 'string' ? { modelId: options.modelId } : {}),
          ...(typeof options.runLink === 'string' ? { runLink: options.runLink } : {}),
          ...(typeof options.description === 'string' ? { description: options.description } : {}),
          ...(options.tag === undefined ? {} : { tags: options.tag as Record<string, string> }),
        });
      if (context.json) context.printJson(version);
      else context.print(`Created version ${version.version} of model '${version.name}'.`);
    },
  );

  action(
    versions
      .command('register')
      .description(
        'Register a model URI as mlflow.register_model does (creates the registered model if missing)',
      )
      .requiredOption('-m, --model-uri <uri>', 'runs:/<run_id>/<path>, models:/<model_id> or any storage URI')
      .addOption(nameOption())
      .option('-d, --description <text>', 'the description')
      .option('-t, --tag <key=value>', 'a tag of the version (repeatable)', collectTag),
    async (context, options) => {
      const version = await context.client().registerModel(String(options.modelUri), String(options.name), {
        ...(typeof options.description === 'string' ? { description: options.description } : {}),
        ...(options.tag === undefined ? {} : { tags: options.tag as Record<string, string> }),
      });
      if (context.json) context.printJson(version);
      else
        context.print(
          `Registered version ${version.version} of model '${version.name}' from ${version.source}.`,
        );
    },
  );

  action(
    versions
      .command('get')
      .description('Show a model version')
      .addOption(nameOption())
      .addOption(versionOption()),
    async (context, options) => {
      const version = await context
        .client()
        .getModelVersion(String(options.name), String(options.modelVersion));
      if (context.json) context.printJson(version);
      else context.print(modelVersionDetails(version));
    },
  );

  const search = (command: Command) =>
    action(searchOptions(command, "name = 'churn'"), async (context, options) => {
      const client = context.client();
      const found = await searchAll(options, 10_000, (input) => client.searchModelVersions(input));
      if (context.json) context.printJson(found);
      else context.print(modelVersionsTable(found));
    });
  search(versions.command('search').description('Search model versions (newest update first)'));
  search(versions.command('list').description('List model versions (alias of search)'));

  action(
    versions
      .command('update')
      .description("Set a version's description (empty clears it)")
      .addOption(nameOption())
      .addOption(versionOption())
      .requiredOption('-d, --description <text>', 'the new description'),
    async (context, options) => {
      const description = String(options.description);
      const version = await context
        .client()
        .updateModelVersion(String(options.name), String(options.modelVersion), description || undefined);
      if (context.json) context.printJson(version);
      else context.print(`Version ${version.version} of model '${version.name}' has been updated.`);
    },
  );

  action(
    versions
      .command('delete')
      .description('Delete a model version (its number is never reused)')
      .addOption(nameOption())
      .addOption(versionOption()),
    async (context, options) => {
      await context.client().deleteModelVersion(String(options.name), String(options.modelVersion));
      if (context.json)
        context.printJson({ name: options.name, version: options.modelVersion, deleted: true });
      else context.print(`Version ${options.modelVersion} of model '${options.name}' has been deleted.`);
    },
  );

  action(
    versions
      .command('set-tag')
      .description('Set a tag on a model version')
      .addOption(nameOption())
      .addOption(versionOption())
      .requiredOption('-k, --key <key>', 'the tag key')
      .requiredOption('--value <value>', 'the tag value'),
    async (context, options) => {
      await context
        .client()
        .setModelVersionTag(
          String(options.name),
          String(options.modelVersion),
          String(options.key),
          String(options.value),
        );
      if (context.json)
        context.printJson({
          name: options.name,
          version: options.modelVersion,
          key: options.key,
          value: options.value,
        });
      else context.print(`Set tag '${options.key}' on version ${options.modelVersion} of '${options.name}'.`);
    },
  );

  action(
    versions
      .command('delete-tag')
      .description('Delete a tag of a model version')
      .addOption(nameOption())
      .addOption(versionOption())
      .requiredOption('-k, --key <key>', 'the tag key'),
    async (context, options) => {
      await context
        .client()
        .deleteModelVersionTag(String(options.name), String(options.modelVersion), String(options.key));
      if (context.json)
        context.printJson({
          name: options.name,
          version: options.modelVersion,
          key: options.key,
          deleted: true,
        });
      else
        context.print(
          `Deleted tag '${options.key}' of version ${options.modelVersion} of '${options.name}'.`,
        );
    },
  );

  action(
    versions
      .command('set-alias')
      .description('Point an alias at this version, moving it if set elsewhere')
      .addOption(nameOption())
      .addOption(versionOption())
      .addOption(aliasOption()),
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
    versions
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
    versions
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

  action(
    versions
      .command('transition-stage')
      .description('Move a version to a stage (None, Staging, Production, Archived)')
      .addOption(nameOption())
      .addOption(versionOption())
      .requiredOption('-s, --stage <stage>', 'the target stage (any case)')
      .option('--archive-existing-versions', 'archive the versions already in Staging or Production', false),
    async (context, options) => {
      const version = await context
        .client()
        .transitionModelVersionStage(
          String(options.name),
          String(options.modelVersion),
          String(options.stage),
          options.archiveExistingVersions === true,
        );
      if (context.json) context.printJson(version);
      else
        context.print(
          `Version ${version.version} of model '${version.name}' is now in stage ${version.current_stage}.`,
        );
    },
  );

  action(
    versions
      .command('get-download-uri')
      .description("Print where a version's files are downloaded from")
      .addOption(nameOption())
      .addOption(versionOption()),
    async (context, options) => {
      const uri = await context
        .client()
        .getModelVersionDownloadUri(String(options.name), String(options.modelVersion));
      if (context.json) context.printJson({ artifact_uri: uri });
      else context.print(uri);
    },
  );

  action(
    versions
      .command('get-latest')
      .description('Show the newest version in each stage (all stages unless --stages is given)')
      .addOption(nameOption())
      .option('--stages <stage...>', 'the stages to look in'),
    async (context, options) => {
      const stages = options.stages as string[] | undefined;
      if (stages !== undefined && stages.length === 0)
        throw new UsageError('--stages needs at least one stage');
      const found = await context.client().getLatestVersions(String(options.name), stages);
      if (context.json) context.printJson(found);
      else context.print(modelVersionsTable(found));
    },
  );
}
