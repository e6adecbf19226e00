import type { Experiment, ViewType } from '@cairn/core';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../cli-context.js';
import { formatTimestamp, renderTable } from '../format.js';
import { parsePositiveInt, parseViewType } from '../view-type.js';

type Run = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

const experimentIdOption = () =>
  new Option('-x, --experiment-id <id>', 'the experiment id').makeOptionMandatory();

/** `cairn experiments ...`: MLflow's `mlflow experiments` commands and flags. */
export function registerExperimentCommands(program: Command, action: Run): void {
  const experiments = program
    .command('experiments')
    .description('Create, search, rename, delete and restore experiments');

  action(
    experiments
      .command('create')
      .description('Create an experiment; prints its id')
      .requiredOption('-n, --experiment-name <name>', 'the experiment name')
      .option('-l, --artifact-location <uri>', "base location of the runs' artifacts"),
    async (context, options) => {
      const name = String(options.experimentName);
      const artifactLocation = options.artifactLocation as string | undefined;
      const id = await context
        .client()
        .createExperiment(name, artifactLocation === undefined ? {} : { artifactLocation });
      if (context.json) context.printJson({ experiment_id: id });
      else context.print(`Created experiment '${name}' with id ${id}`);
    },
  );

  const search = (command: Command) =>
    action(
      command
        .option(
          '-v, --view <view>',
          'active_only, deleted_only or all',
          parseViewType,
          'ACTIVE_ONLY' as ViewType,
        )
        .option('--max-results <n>', 'the most experiments to return (all when absent)', parsePositiveInt)
        .option('--filter <filter>', 'MLflow filter string, e.g. "name LIKE \'prod-%\'"')
        .option('--order-by <clause...>', "order clauses, e.g. 'name ASC'"),
      async (context, options) => {
        const found: Experiment[] = [];
        const limit = options.maxResults as number | undefined;
        let pageToken: string | undefined;
        do {
          const page = await context.client().searchExperiments({
            viewType: options.view as ViewType,
            filter: options.filter as string | undefined,
            orderBy: options.orderBy as string[] | undefined,
            maxResults: limit === undefined ? undefined : Math.min(limit - found.length, 1000),
            pageToken,
          });
          found.push(...page.items);
          pageToken = page.nextPageToken;
        } while (pageToken !== undefined && (limit === undefined || found.length < limit));
        if (context.json) return context.printJson(found);
        context.print(
          renderTable(
            ['Experiment Id', 'Name', 'Artifact Location', 'Stage', 'Created'],
            found.map((e) => [
              e.experiment_id,
              e.name,
              e.artifact_location,
              e.lifecycle_stage,
              formatTimestamp(e.creation_time),
            ]),
          ),
        );
      },
    );
  search(experiments.command('search').description('Search experiments'));
  search(experiments.command('list').description('List experiments (alias of search)'));

  action(
    experiments
      .command('describe')
      .description("Show an experiment's fields and tags")
      .addOption(experimentIdOption()),
    async (context, options) => {
      const experiment = await context.client().getExperiment(String(options.experimentId));
      if (context.json) return context.printJson(experiment);
      context.print(
        renderTable(
          ['Field', 'Value'],
          [
            ['experiment_id', experiment.experiment_id],
            ['name', experiment.name],
            ['artifact_location', experiment.artifact_location],
            ['lifecycle_stage', experiment.lifecycle_stage],
            ['creation_time', formatTimestamp(experiment.creation_time)],
            ['last_update_time', formatTimestamp(experiment.last_update_time)],
            ...experiment.tags.map((tag) => [`tags.${tag.key}`, tag.value]),
          ],
        ),
      );
    },
  );

  action(
    experiments
      .command('rename')
      .description('Rename an experiment')
      .addOption(experimentIdOption())
      .requiredOption('--new-name <name>', 'the new name'),
    async (context, options) => {
      await context.client().renameExperiment(String(options.experimentId), String(options.newName));
      if (context.json) context.printJson({ experiment_id: options.experimentId, name: options.newName });
      else
        context.print(`Experiment with id ${options.experimentId} has been renamed to '${options.newName}'.`);
    },
  );

  for (const [verb, text] of [
    ['delete', 'Mark an experiment and its runs deleted (restorable)'],
    ['restore', 'Restore a deleted experiment and the runs deleted with it'],
  ] as const) {
    action(
      experiments.command(verb).description(text).addOption(experimentIdOption()),
      async (context, options) => {
        const id = String(options.experimentId);
        if (verb === 'delete') await context.client().deleteExperiment(id);
        else await context.client().restoreExperiment(id);
        if (context.json)
          context.printJson({ experiment_id: id, lifecycle_stage: verb === 'delete' ? 'deleted' : 'active' });
        else
          context.print(`Experiment with id ${id} has been ${verb === 'delete' ? 'deleted' : 'restored'}.`);
      },
    );
  }
}
