import { createServerCommand } from '@cairn/server-start';
import type { Command } from 'commander';
import type { CliIo } from '../cli-context.js';

/** Registers `cairn server`, the same command as the `cairn-server` bin (MLflow's `mlflow server` flags). */
export function registerServerCommand(program: Command, io: CliIo): void {
  // `-h` is the server's --host, as in `mlflow server`, so only --help prints help.
  program.addCommand(createServerCommand('server', io));
}
