import { doesNotExist, type Run, type ViewType } from '@cairn/core';
import { type Command, Option } from 'commander';
import { type CommandContext, UsageError } from '../cli-context.js';
import { formatNumber, formatTimestamp, renderTable } from '../format.js';
import { parseViewType } from '../view-type.js';

type Action = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

const runIdOption = () => new Option('--run-id <id>', 'the run id').makeOptionMandatory();

async function experimentIdFor(context: CommandContext, options: Record<string, unknown>): Promise<string> {
  if (typeof options.experimentId === 'string') {
    // A search over an unknown experiment finds nothing; MLflow's `runs list` says the experiment is not there.
    await context.client().getExperiment(options.experimentId);
    return options.experimentId;
  }
  if (typeof options.experimentName === 'string') {
    const experiment = await context.client().getExperimentByName(options.experimentName);
    if (experiment === undefined) {
      throw doesNotExist(`Experiment '${options.experimentName}' does not exist.`, {
        field: 'experiment_name',
      });
    }
    return experiment.experiment_id;
  }
  const fromEnv = context.io.env.MLFLOW_EXPERIMENT_ID;
  if (fromEnv !== undefined && fromEnv !== '') {
    await context.client().getExperiment(fromEnv);
    return fromEnv;
  }
  throw new UsageError('give --experiment-id or --experiment-name (or set MLFLOW_EXPERIMENT_ID)');
}

function describeRun(context: CommandContext, run: Run): void {
  const { info, data } = run;
  const rows: (string | number)[][] = [
    ['run_id', info.run_id],
    ['run_name', info.run_name],
    ['experiment_id', info.experiment_id],
    ['status', info.status],
    ['lifecycle_stage', info.lifecycle_stage],
    ['user_id', info.user_id],
    ['start_time', formatTimestamp(info.start_time)],
    ['end_time', formatTimestamp(info.end_time)],
    ['artifact_uri', info.artifact_uri],
  ];
  context.print(renderTable(['Field', 'Value'], rows));
  if (data.params.length > 0) {
    context.print(
      renderTable(
        ['Param', 'Value'],
        data.params.map((p) => [p.key, p.value]),
      ),
    );
  }
  if (data.metrics.length > 0) {
    context.print(
      renderTable(
        ['Metric', 'Value', 'Step', 'Timestamp'],
        data.metrics.map((m) => [m.key, formatNumber(m.value), m.step, formatTimestamp(m.timestamp)]),
      ),
    );
  }
  if (data.tags.length > 0)
    context.print(
      renderTable(
        ['Tag', 'Value'],
        data.tags.map((t) => [t.key, t.value]),
      ),
    );
}

/** `cairn runs ...`: MLflow's `mlflow runs` commands and flags. */
export function registerRunCommands(program: Command, action: Action): void {
  const runs = program.command('runs').description('List, describe, delete and restore runs');

  action(
    runs
      .command('list')
      .description('List the runs of an experiment, newest first')
      .option('--experiment-id <id>', 'the experiment id (default MLFLOW_EXPERIMENT_ID)')
      .option('--experiment-name <name>', 'the experiment name, instead of its id')
      .option(
        '-v, --view <view>',
        'active_only, deleted_only or all',
        parseViewType,
        'ACTIVE_ONLY' as ViewType,
      )
      .option('--filter <filter>', 'MLflow filter string, e.g. "metrics.acc > 0.9"')
      .option('--order-by <clause...>', "order clauses, e.g. 'metrics.acc DESC'"),
    async (context, options) => {
      const experimentId = await experimentIdFor(context, options);
      const found: Run[] = [];
      let pageToken: string | undefined;
      do {
        const page = await context.client().searchRuns({
          experimentIds: [experimentId],
          runViewType: options.view as ViewType,
          filter: options.filter as string | undefined,
          orderBy: options.orderBy as string[] | undefined,
          maxResults: 1000,
          pageToken,
        });
        found.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken !== undefined);
      if (context.json) return context.printJson(found);
      context.print(
        renderTable(
          ['Date', 'Name', 'ID', 'Status'],
          found.map((run) => [
            formatTimestamp(run.info.start_time),
            run.info.run_name,
            run.info.run_id,
            run.info.status,
          ]),
        ),
      );
    },
  );

  action(
    runs
      .command('describe')
      .description("Show a run's info, params, latest metrics and tags")
      .addOption(runIdOption()),
    async (context, options) => {
      const run = await context.client().getRun(String(options.runId));
      if (context.json) context.printJson(run);
      else describeRun(context, run);
    },
  );

  for (const [verb, text] of [
    ['delete', 'Mark a run deleted (restorable)'],
    ['restore', 'Restore a deleted run'],
  ] as const) {
    action(runs.command(verb).description(text).addOption(runIdOption()), async (context, options) => {
      const runId = String(options.runId);
      if (verb === 'delete') await context.client().deleteRun(runId);
      else await context.client().restoreRun(runId);
      if (context.json)
        context.printJson({ run_id: runId, lifecycle_stage: verb === 'delete' ? 'deleted' : 'active' });
      else context.print(`Run with id ${runId} has been ${verb === 'delete' ? 'deleted' : 'restored'}.`);
    });
  }
}
