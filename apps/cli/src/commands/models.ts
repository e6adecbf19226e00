import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { invalidParameter } from '@cairn/core';
import {
  type BatchContentType,
  createModelLoader,
  createRegistryVersionResolver,
  generateDockerfile,
  type ModelLoader,
  type ModelVersionResolver,
  predictBatch,
  serveModel,
} from '@cairn/serving';
import { type Command, Option } from 'commander';
import { type CommandContext, UsageError } from '../cli-context.js';

type Action = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

/** A path or `file:` URI names a local model; anything else with a scheme is fetched through the client. */
const isRemote = (uri: string) =>
  /^[A-Za-z][A-Za-z0-9+.-]*:/u.test(uri) && !uri.startsWith('file:') && !/^[A-Za-z]:[\\/]/u.test(uri);

/** The loader the CLI uses: local directories in place, `models:/`, `runs:/`, `s3://`... downloaded by the client. */
function cliModelLoader(context: CommandContext): ModelLoader {
  return createModelLoader({
    download: (uri) => context.client().downloadArtifacts({ artifactUri: uri }),
  });
}

/** The registry resolver, for `models:/` URIs only (a local model opens no store). */
async function cliResolver(context: CommandContext, uri: string): Promise<ModelVersionResolver | undefined> {
  if (!uri.startsWith('models:')) return undefined;
  const client = context.client();
  return createRegistryVersionResolver({
    registry: await client.registryStore(),
    tracking: await client.trackingStore(),
  });
}

const modelUri = (options: Record<string, unknown>, context: CommandContext) => {
  const uri = String(options.modelUri);
  return isRemote(uri) ? uri : context.localPath(uri);
};

const positiveNumber = (name: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new UsageError(`--${name} must be a non-negative number, got '${String(value)}'`);
  return number;
};

const envManagerOption = () =>
  new Option(
    '--env-manager <manager>',
    "MLflow's environment manager; accepted for compatibility and ignored (Cairn runs models in this Node.js process)",
  );

/** `cairn models serve|predict|generate-dockerfile`: MLflow's `mlflow models` commands with Cairn's scoring server. */
export function registerModelCommands(program: Command, action: Action, stopSignal?: AbortSignal): void {
  const models = program
    .command('models')
    .description('Serve models, predict with them, and package them (MLflow models)');

  action(
    models
      .command('serve')
      .description(
        "Serve a model with MLflow's scoring protocol (POST /invocations, GET /ping, /health, /version). A models:/<name>@<alias> URI is followed: when the alias moves the new version is loaded and swapped in without dropping requests.",
      )
      .requiredOption(
        '-m, --model-uri <uri>',
        'the model: a directory, file:, runs:/, models:/<name>/<version> or models:/<name>@<alias>',
      )
      .option('-p, --port <port>', 'port (env MLFLOW_PORT; default 5000)')
      .option('-h, --host <host>', 'interface to bind (env MLFLOW_HOST; default 127.0.0.1)')
      .option(
        '-t, --timeout <seconds>',
        'longest a request may take (env MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT; default 60)',
      )
      .option(
        '--poll-interval <seconds>',
        'how often to check whether a models:/ alias moved (default 30; 0 never)',
      )
      .option(
        '--max-request-bytes <bytes>',
        'largest request body; larger ones answer 413 (default 104857600)',
      )
      .addOption(envManagerOption())
      .helpOption('--help', 'display help for command'),
    async (context, options) => {
      const uri = modelUri(options, context);
      const env = context.io.env;
      const port = positiveNumber('port', options.port ?? env.MLFLOW_PORT, 5000);
      const timeoutSeconds = positiveNumber(
        'timeout',
        options.timeout ?? env.MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT,
        60,
      );
      const resolver = await cliResolver(context, uri);
      const server = await serveModel({
        uri,
        loader: cliModelLoader(context),
        ...(resolver ? { resolver } : {}),
        host: String(options.host ?? env.MLFLOW_HOST ?? '127.0.0.1'),
        port,
        requestTimeoutMs: timeoutSeconds * 1000,
        pollIntervalMs: positiveNumber('poll-interval', options.pollInterval, 30) * 1000,
        maxRequestBytes: positiveNumber('max-request-bytes', options.maxRequestBytes, 100 * 1024 * 1024),
        log: (event) => {
          if (event.type === 'swapped') context.io.stderr(`swapped to version ${event.to} (${event.uri})\n`);
          if (event.type === 'load-failed') {
            context.io.stderr(
              `could not load ${event.uri}, still serving the previous version: ${String(event.error)}\n`,
            );
          }
        },
      });
      const status = server.served.status().current;
      if (context.json) context.printJson({ url: server.url, model_uri: uri, serving: status });
      else {
        context.print(
          `Serving ${uri}${status?.version === undefined ? '' : ` (version ${status.version})`} at ${server.url}`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          stopSignal?.removeEventListener('abort', stop);
          server.close().then(resolve, (error: unknown) => {
            context.io.stderr(`error while closing: ${String(error)}\n`);
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        stopSignal?.addEventListener('abort', stop, { once: true });
        if (stopSignal?.aborted) stop();
      });
    },
  );

  action(
    models
      .command('predict')
      .description(
        'Predict a file with a model and write {"predictions": ...} as `mlflow models predict` does. CSV and JSON lines are streamed in chunks.',
      )
      .requiredOption('-m, --model-uri <uri>', 'the model: a directory, file:, runs:/ or models:/ URI')
      .option('-i, --input-path <path>', 'the input file (default: standard input)')
      .option('-o, --output-path <path>', 'where to write the predictions as JSON (default: standard output)')
      .addOption(
        new Option('-t, --content-type <type>', 'the input format')
          .choices(['json', 'csv', 'jsonl'])
          .default('json'),
      )
      .option('--chunk-rows <n>', 'rows per predict call for csv and jsonl (default 10000)')
      .addOption(envManagerOption()),
    async (context, options) => {
      const uri = modelUri(options, context);
      const model = await cliModelLoader(context)(uri);
      try {
        const output =
          options.outputPath === undefined ? undefined : context.localPath(String(options.outputPath));
        // Predictions go to the CLI's stdout as they are written, not gathered first.
        const stdout = new Writable({
          write(chunk: Buffer | string, _encoding, callback) {
            context.io.stdout(chunk.toString());
            callback();
          },
        });
        const result = await predictBatch({
          model,
          input:
            options.inputPath === undefined ? process.stdin : context.localPath(String(options.inputPath)),
          output: output ?? stdout,
          contentType: String(options.contentType) as BatchContentType,
          ...(options.chunkRows === undefined ? {} : { chunkRows: Number(options.chunkRows) }),
        });
        if (output === undefined) context.io.stdout('\n');
        else if (context.json)
          context.printJson({ output_path: output, rows: result.rows, chunks: result.chunks });
        else context.print(`Wrote predictions for ${result.rows} rows to ${output}`);
      } finally {
        await model.close();
      }
    },
  );

  action(
    models
      .command('generate-dockerfile')
      .description(
        "Write a directory with a Dockerfile whose image serves the model on port 8080 with Cairn's scoring server (Node 20), as `mlflow models generate-dockerfile`.",
      )
      .requiredOption('-m, --model-uri <uri>', 'the model: a directory, file:, runs:/ or models:/ URI')
      .option(
        '-d, --output-directory <dir>',
        'where to write the Dockerfile and the model',
        'mlflow-dockerfile',
      )
      .addOption(envManagerOption()),
    async (context, options) => {
      const uri = modelUri(options, context);
      let modelDir = uri.startsWith('file:') ? new URL(uri).pathname : uri;
      if (isRemote(uri)) {
        modelDir = await context.client().downloadArtifacts({
          artifactUri: uri,
          dstPath: await mkdtemp(join(tmpdir(), 'cairn-dockerfile-model-')),
        });
      }
      const outputDirectory = context.localPath(String(options.outputDirectory));
      if (outputDirectory === modelDir) {
        throw invalidParameter('--output-directory must not be the model directory', {
          field: 'output_directory',
        });
      }
      const result = await generateDockerfile({ modelDir, outputDirectory });
      if (context.json) {
        context.printJson({
          output_directory: outputDirectory,
          files: result.files,
          flavor: result.flavor,
          dependencies: result.dependencies,
        });
      } else context.print(`Generated Dockerfile in directory ${outputDirectory}`);
    },
  );
}
