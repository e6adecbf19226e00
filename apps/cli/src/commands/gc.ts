import {
  type CairnClient,
  createCairnClient,
  type GcPlan,
  isUnresolvableArtifactUri,
  parseOlderThan,
  planGc,
} from '@cairn/client';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-context.js';
import { renderTable } from '../format.js';

type Action = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

const idList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
    : undefined;

function printPlan(context: CommandContext, plan: GcPlan): void {
  context.print(
    `Would permanently delete ${plan.runs.length} run(s) and their artifacts` +
      (plan.experiments.length > 0 ? `, and ${plan.experiments.length} deleted experiment(s):` : ':'),
  );
  if (plan.runs.length > 0)
    context.print(
      renderTable(
        ['Run ID', 'Experiment', 'Deleted', 'Artifact URI'],
        plan.runs.map((run) => [
          run.run_id,
          run.experiment_id,
          run.deleted_time === undefined ? '' : new Date(run.deleted_time).toISOString(),
          run.artifact_uri,
        ]),
      ),
    );
  if (plan.experiments.length > 0)
    context.print(
      renderTable(
        ['Experiment ID', 'Name', 'Artifact location (deleted too?)'],
        plan.experiments.map((experiment) => [
          experiment.experiment_id,
          experiment.name,
          `${experiment.artifact_location} (${experiment.delete_artifact_location ? 'yes' : 'no: not its own folder'})`,
        ]),
      ),
    );
  for (const note of plan.notes) context.print(`Note: ${note}`);
}

/** Deletes an artifact tree; an artifact URI nothing can open is reported and skipped, as mlflow gc does. */
async function deleteArtifacts(
  context: CommandContext,
  client: CairnClient,
  uri: string,
  owner: string,
  warnings: string[],
): Promise<void> {
  try {
    await (await client.artifactStoreAt(uri)).delete('');
  } catch (error) {
    // As mlflow gc: an artifact URI nothing can open must not block removing the metadata.
    if (!isUnresolvableArtifactUri(error)) throw error;
    const warning = `Could not open the artifacts of ${owner} at ${uri}; delete them by hand`;
    warnings.push(warning);
    context.io.stderr(`warning: ${warning}\n`);
  }
}

/**
 * Removes what the plan lists: each run's artifacts (through the artifact resolvers: local, S3, ...), then
 * the run; then each experiment's own artifact folder, then the experiment with all its runs' records in one
 * purge (one transaction on SQL, not one per run). Artifacts go first so a failure never leaves files that no
 * record points at any more.
 */
async function executePlan(context: CommandContext, client: CairnClient, plan: GcPlan): Promise<string[]> {
  const warnings: string[] = [];
  const purgedWithExperiment = new Set(plan.experiments.map((experiment) => experiment.experiment_id));
  const done = (run: GcPlan['runs'][number]) => {
    if (!context.json) context.print(`Run with ID ${run.run_id} has been permanently deleted.`);
  };
  for (const run of plan.runs) {
    await deleteArtifacts(context, client, run.artifact_uri, `run ${run.run_id}`, warnings);
    if (purgedWithExperiment.has(run.experiment_id)) continue;
    await (await client.trackingStore()).purgeRun(run.run_id);
    done(run);
  }
  for (const experiment of plan.experiments) {
    if (experiment.delete_artifact_location) {
      const owner = `experiment ${experiment.experiment_id}`;
      await deleteArtifacts(context, client, experiment.artifact_location, owner, warnings);
    }
    await (await client.trackingStore()).purgeExperiment(experiment.experiment_id);
    for (const run of plan.runs) if (run.experiment_id === experiment.experiment_id) done(run);
    if (!context.json)
      context.print(`Experiment with ID ${experiment.experiment_id} has been permanently deleted.`);
  }
  return warnings;
}

/** `cairn gc`: MLflow's `mlflow gc`, with a --dry-run that lists exactly what would go. */
export function registerGcCommand(program: Command, action: Action): void {
  action(
    program
      .command('gc')
      .description(
        'Permanently delete runs and experiments in the deleted lifecycle stage, with their artifacts ' +
          '(local, S3, ...). Without --run-ids/--experiment-ids: every deleted run, and every deleted ' +
          'experiment with all its runs.',
      )
      .option(
        '--older-than <duration>',
        "only what was deleted longer ago than this (#d#h#m#s, e.g. '30d', '2d8h', '1.5h'): a run by its deletion time (its end time if the store never recorded one), an experiment by its last update",
      )
      .option('--run-ids <ids>', 'comma-separated deleted runs to remove (default: every deleted run)')
      .option(
        '--experiment-ids <ids>',
        'comma-separated deleted experiments to remove with all their runs (default: every deleted experiment)',
      )
      .option(
        '--backend-store-uri <uri>',
        'the tracking store to clean (MLflow flag; default: --tracking-uri)',
      )
      .option('--dry-run', 'list what would be deleted and change nothing'),
    async (context, options) => {
      const olderThanMs = options.olderThan === undefined ? 0 : parseOlderThan(String(options.olderThan));
      const own =
        options.backendStoreUri === undefined
          ? undefined
          : createCairnClient({
              trackingUri: String(options.backendStoreUri),
              env: context.io.env,
              cwd: context.io.cwd,
            });
      const client = own ?? context.client();
      try {
        const plan = await planGc(await client.trackingStore(), {
          olderThanMs,
          ...(idList(options.runIds) ? { runIds: idList(options.runIds) } : {}),
          ...(idList(options.experimentIds) ? { experimentIds: idList(options.experimentIds) } : {}),
        });
        if (options.dryRun === true) {
          if (context.json) context.printJson({ dry_run: true, ...plan });
          else printPlan(context, plan);
          return;
        }
        const warnings = await executePlan(context, client, plan);
        if (context.json) context.printJson({ dry_run: false, ...plan, warnings });
        else {
          for (const note of plan.notes) context.print(`Note: ${note}`);
          if (plan.runs.length === 0 && plan.experiments.length === 0) context.print('Nothing to delete.');
        }
      } finally {
        await own?.close();
      }
    },
  );
}
