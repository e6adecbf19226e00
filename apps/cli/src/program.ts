import type { CairnClient } from '@cairn/client';
import { CairnError } from '@cairn/core';
import { Command, CommanderError } from 'commander';
import { type CliIo, type CommandContext, commandContext, UsageError } from './cli-context.js';
import { registerArtifactCommands } from './commands/artifacts.js';
import { registerDbCommands } from './commands/db.js';
import { registerExperimentCommands } from './commands/experiments.js';
import { registerGcCommand } from './commands/gc.js';
import { registerModelVersionCommands } from './commands/model-versions.js';
import { registerModelCommands } from './commands/models.js';
import { registerRegisteredModelCommands } from './commands/registered-models.js';
import { registerRunCommands } from './commands/runs.js';
import { registerServerCommand } from './commands/server.js';

/** Exit codes: 0 success, 1 the operation failed (an MLflow error code is printed), 2 a usage error. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

const version = '0.1.0';

/**
 * Builds the `cairn` program. Handlers record their clients in `opened` so {@link runCli} can close them.
 */
export function createProgram(io: CliIo, opened: CairnClient[] = []): Command {
  const program = new Command('cairn')
    .description('Cairn: MLflow-compatible experiment tracking from the command line')
    .version(version)
    .option(
      '--tracking-uri <uri>',
      'the tracking store (default: MLFLOW_TRACKING_URI, else ./mlruns if it holds MLflow data, else sqlite:///mlflow.db)',
    )
    .option('--json', 'print machine-readable JSON instead of tables')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .exitOverride();

  const action = (
    command: Command,
    handler: (context: CommandContext, options: Record<string, unknown>, args: string[]) => Promise<void>,
  ) => {
    command.exitOverride();
    // commander passes positional arguments first, then the options, then the command itself.
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      await handler(commandContext(io, self, opened), self.opts(), self.args);
    });
  };
  registerExperimentCommands(program, action);
  registerRunCommands(program, action);
  registerArtifactCommands(program, action);
  registerRegisteredModelCommands(program, action);
  registerModelVersionCommands(program, action);
  registerServerCommand(program, io);
  registerDbCommands(program, action);
  registerGcCommand(program, action);
  registerModelCommands(program, action, io.signal);
  for (const group of program.commands) group.exitOverride();
  return program;
}

/** Runs the CLI on `argv` (without the node and script entries) and returns the exit code; never exits. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const opened: CairnClient[] = [];
  const program = createProgram(io, opened);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects (an unknown option, a missing
      // required one, a bare group such as `cairn runs`, which prints its help) is a usage error.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return exitCodes.usage;
    }
    if (CairnError.isInstance(error)) {
      io.stderr(`error: ${error.code}: ${error.message}\n`);
      return exitCodes.failed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: INTERNAL_ERROR: ${message}\n`);
    return exitCodes.failed;
  } finally {
    await Promise.all(opened.map((client) => client.close().catch(() => {})));
  }
}
