import cluster from 'node:cluster';
import type { StorePlugin } from '@cairn/core';
import { Command, Option } from 'commander';
import { serveClusterWriteLock } from './cluster-write-lock.js';
import {
  commaList,
  resolveServerOptions,
  type ServerOptions,
  type ServerOptionsInput,
} from './server-options.js';
import { type RunningServer, startServer } from './start-server.js';

/** Where the command writes and what it reads; injectable for tests. */
export interface ServerCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** What a deployment adds to the command: store plugins tried before Cairn's own (a third party's backend). */
export interface ServerCommandOptions {
  plugins?: readonly StorePlugin[];
}

/** Serves until SIGTERM/SIGINT, then closes gracefully (requests in flight finish). */
async function serveUntilSignal(
  options: ServerOptions,
  io: ServerCommandIo,
  commandOptions: ServerCommandOptions,
): Promise<void> {
  const server: RunningServer = await startServer(options, {
    cwd: io.cwd,
    env: io.env,
    ...(commandOptions.plugins === undefined ? {} : { plugins: commandOptions.plugins }),
  });
  const worker = cluster.isWorker ? ` (worker ${process.pid})` : '';
  io.stdout(
    `Cairn tracking server listening at ${server.url}${worker} - ready in ${server.readyMs.toFixed(0)} ms\n` +
      `  backend store: ${server.backendStoreUri}\n  default artifact root: ${server.defaultArtifactRoot}\n` +
      `  serving artifacts: ${options.serveArtifacts ? options.artifactsDestination : 'no'}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.stderr(`${signal}: closing after requests in flight finish\n`);
      server.close().then(resolve, (error: unknown) => {
        io.stderr(`error while closing: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // A worker's IPC channel to the primary would keep it alive after the server closed.
  if (cluster.isWorker) cluster.worker?.disconnect();
}

/** With --workers N, the primary forks N processes that share the port (node:cluster) and relays signals. */
async function runPrimary(options: ServerOptions, io: ServerCommandIo): Promise<void> {
  const workers = Array.from({ length: options.workers }, () => cluster.fork());
  serveClusterWriteLock(workers);
  io.stdout(`Cairn tracking server: ${options.workers} workers on ${options.host}:${options.port}\n`);
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) =>
          worker.once('exit', (code) => {
            if (!stopping && code !== 0) io.stderr(`worker ${worker.process.pid} exited with code ${code}\n`);
            resolve();
          }),
        ),
    ),
  );
}

/** Builds the `server` command (used as `cairn server` and as the `cairn-server` bin). */
export function createServerCommand(
  name: string,
  io: ServerCommandIo,
  commandOptions: ServerCommandOptions = {},
): Command {
  return new Command(name)
    .description("Run Cairn's tracking server: MLflow's REST API and artifact proxy")
    .option(
      '--backend-store-uri <uri>',
      'where runs live (env MLFLOW_BACKEND_STORE_URI; default sqlite:///mlflow.db, or ./mlruns if it holds data)',
    )
    .option(
      '--default-artifact-root <uri>',
      "new experiments' artifact root, e.g. s3://bucket/prefix with --no-serve-artifacts (env MLFLOW_DEFAULT_ARTIFACT_ROOT)",
    )
    .option(
      '--artifacts-destination <uri>',
      'where the artifact proxy keeps files: a directory, file:// or s3://bucket/prefix (S3 configured by ' +
        'MLFLOW_S3_ENDPOINT_URL and AWS_*) (env MLFLOW_ARTIFACTS_DESTINATION; default ./mlartifacts)',
    )
    .addOption(
      new Option(
        '--serve-artifacts',
        'proxy artifact uploads and downloads (env MLFLOW_SERVE_ARTIFACTS; default)',
      ),
    )
    .addOption(new Option('--no-serve-artifacts', 'clients write artifacts to the artifact root directly'))
    .option('-h, --host <host>', 'interface to bind (env MLFLOW_HOST; default 127.0.0.1)')
    .option('-p, --port <port>', 'port (env MLFLOW_PORT; default 5000)')
    .option(
      '-w, --workers <n>',
      'worker processes sharing the port (env MLFLOW_WORKERS; default 4, as MLflow; 1 for memory:)',
    )
    .option(
      '--allowed-hosts <hosts>',
      'comma-separated Host header allowlist (env MLFLOW_SERVER_ALLOWED_HOSTS)',
      commaList,
    )
    .option(
      '--cors-allowed-origins <origins>',
      'comma-separated CORS origins (env MLFLOW_SERVER_CORS_ALLOWED_ORIGINS)',
      commaList,
    )
    .option(
      '--allow-private-webhook-targets',
      'let webhooks reach loopback, private, link-local and metadata addresses; for local development only (env MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS)',
    )
    .option('--no-log-requests', 'do not log one line per request')
    .option(
      '--serve-models',
      'also serve registered models at /serve/<name>@<alias>/invocations and /serve/<name>/<version>/invocations (Cairn only; env CAIRN_SERVE_MODELS)',
    )
    .option(
      '--serve-models-poll-interval <seconds>',
      'how often a served alias is checked for a move (default 30)',
    )
    .helpOption('--help', 'display help for command')
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const serveSource = command.getOptionValueSource('serveArtifacts');
      const input: ServerOptionsInput = {
        backendStoreUri: flags.backendStoreUri as string | undefined,
        defaultArtifactRoot: flags.defaultArtifactRoot as string | undefined,
        artifactsDestination: flags.artifactsDestination as string | undefined,
        // commander gives --no-serve-artifacts a default of true; only an explicit flag overrides the env.
        serveArtifacts: serveSource === 'cli' ? (flags.serveArtifacts as boolean) : undefined,
        host: flags.host as string | undefined,
        port: flags.port as string | undefined,
        workers: flags.workers as string | undefined,
        allowedHosts: flags.allowedHosts as string[] | undefined,
        corsAllowedOrigins: flags.corsAllowedOrigins as string[] | undefined,
        logRequests: flags.logRequests as boolean | undefined,
        allowPrivateWebhookTargets: flags.allowPrivateWebhookTargets as boolean | undefined,
        serveModels: flags.serveModels as boolean | undefined,
        serveModelsPollInterval: flags.serveModelsPollInterval as string | undefined,
      };
      const options = resolveServerOptions(input, io.env);
      if (options.workers > 1 && cluster.isPrimary) await runPrimary(options, io);
      else await serveUntilSignal(options, io, commandOptions);
    });
}
