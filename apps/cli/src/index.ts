export type { CliIo, CommandContext, GlobalOptions } from './cli-context.js';
export { UsageError } from './cli-context.js';
export { createProgram, exitCodes, runCli } from './program.js';
