import { resolveDatabaseUri, upgradeDatabase } from '@cairn/store-sql';
import type { Command } from 'commander';
import type { CommandContext } from '../cli-context.js';

type Action = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>, args: string[]) => Promise<void>,
) => void;

/** `cairn db upgrade <url>`: MLflow's `mlflow db upgrade` for Cairn's SQL store. */
export function registerDbCommands(program: Command, action: Action): void {
  const db = program.command('db').description("Create or upgrade a SQL tracking database (MLflow's schema)");
  action(
    db
      .command('upgrade')
      .description(
        'Create the MLflow 3.18.0 schema in an empty database, or upgrade one made by MLflow 3.17; safe to run concurrently',
      )
      .argument(
        '<url>',
        'sqlite:///path.db, postgresql://user:password@host/db or mysql://user:password@host/db',
      ),
    async (context, _options, [url = '']) => {
      const result = await upgradeDatabase(resolveDatabaseUri(url, context.io.cwd));
      if (context.json) return context.printJson(result);
      if (result.created) context.print(`Created MLflow schema at revision ${result.revision}.`);
      else if (result.upgraded)
        context.print(`Upgraded database from revision ${result.previousRevision} to ${result.revision}.`);
      else context.print(`Database is up to date at revision ${result.revision}.`);
      if (result.addedIndexes.length > 0 && !result.created)
        context.print(
          `Added Cairn's search indexes (MLflow ignores them): ${result.addedIndexes.join(', ')}.`,
        );
    },
  );
}
