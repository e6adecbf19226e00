import { isAbsolute, resolve } from 'node:path';
import { type CairnClient, createCairnClient } from '@cairn/client';
import type { Command } from 'commander';

/** Where the CLI reads and writes: injectable so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Stops long-running commands (`models serve`) when aborted, as SIGINT/SIGTERM do. */
  signal?: AbortSignal;
}

/** The options every command inherits from the root program. */
export interface GlobalOptions {
  trackingUri?: string;
  json?: boolean;
}

/** What a command handler gets: parsed globals, a client opened on first use, and output helpers. */
export interface CommandContext {
  readonly io: CliIo;
  readonly json: boolean;
  client(): CairnClient;
  /** Writes a value as JSON (2-space indented) followed by a newline. */
  printJson(value: unknown): void;
  /** Writes text followed by a newline. */
  print(text: string): void;
  /** Resolves a user-given local path against the CLI's working directory. */
  localPath(path: string): string;
}

/** Builds the context of one command invocation. */
export function commandContext(io: CliIo, command: Command, opened: CairnClient[]): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  let client: CairnClient | undefined;
  return {
    io,
    json: globals.json === true,
    client() {
      if (client === undefined) {
        client = createCairnClient({ trackingUri: globals.trackingUri, env: io.env, cwd: io.cwd });
        opened.push(client);
      }
      return client;
    },
    printJson: (value) => io.stdout(`${JSON.stringify(value, jsonReplacer, 2)}\n`),
    print: (text) => io.stdout(`${text}\n`),
    localPath: (path) => (isAbsolute(path) ? path : resolve(io.cwd, path)),
  };
}

/** NaN and +/-Infinity as MLflow's REST API writes them (strings), since JSON has no such numbers. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** A command line that is wrong in a way commander cannot see; exits 2 like commander's own usage errors. */
export class UsageError extends Error {}
