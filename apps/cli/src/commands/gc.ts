import { type CairnClient, createCairnClient } from '@cairn/client';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-context.js';
import { renderTable } from '../format.js';
import { type GcPlan, isUnresolvableArtifactUri, parseOlderThan, planGc } from './gc-plan.js';

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
      (plan.experiments.length > 0 ? `, from ${plan.experiments.length} deleted experiment(s):` : ':'),
  );
  if (plan.runs.length > 0)
    context.print(
      renderTable(
        ['Run ID', 'Experiment', 'Artifact URI'],
        plan.runs.map((run) => [run.run_id, run.experiment_id, run.artifact_uri]),
      ),
    );
  if (plan.experiments.length > 0)
    context.print(
      renderTable(
        ['Experiment ID', 'Name'],
        plan.experiments.map((experiment) => [experiment.experiment_id, experiment.name]),
      ),
    );
}

/** Deletes each planned run's artifacts (through the artifact resolvers: local, S3, ...) and then the run. */
async function executePlan(context: CommandContext, client: CairnClient, plan: GcPlan): Promise<string[]> {
  const warnings: string[] = [];
  for (const run of plan.runs) {
    try {
      await (await client.artifactStoreForRun(run.run_id)).delete('');
    } catch (error) {
      // As mlflow gc: an artifact URI nothing can open must not block removing the run's metadata.
      if (!isUnresolvableArtifactUri(error)) throw error;
      const warning = `Could not open the artifacts of run ${run.run_id} at ${run.artifact_uri}; delete them by hand`;
      warnings.push(warning);
      context.io.stderr(`warning: ${warning}\n`);
    }
    await client.store.purgeRun(run.run_id);
    if (!context.json) context.print(`Run with ID ${run.run_id} has been permanently deleted.`);
  }
  return warnings;
}

/** `cairn gc`: MLflow's `mlflow gc`, with a --dry-run that lists exactly what would go. */
export function registerGcCommand(program: Command, action: Action): void {
  action(
    program
      .command('gc')
      .description(
        'Permanently delete runs in the deleted lifecycle stage, with their artifacts (local, S3, ...). ' +
          'Without --run-ids/--experiment-ids: every deleted run, and every run of every deleted experiment.',
      )
      .option(
        '--older-than <duration>',
        "only what was deleted longer ago than this (#d#h#m#s, e.g. '30d', '2d8h', '1.5h'); a run's age counts from its end time",
      )
      .option('--run-ids <ids>', 'comma-separated deleted runs to remove (default: every deleted run)')
      .option(
        '--experiment-ids <ids>',
        'comma-separated deleted experiments whose runs to remove (default: every deleted experiment)',
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
        const plan = await planGc(client.store, {
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
        else if (plan.runs.length === 0) context.print('Nothing to delete.');
      } finally {
        await own?.close();
      }
    },
  );
}
