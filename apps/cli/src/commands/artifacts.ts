import type { FileInfo } from '@cairn/core';
import { type Command, Option } from 'commander';
import { type CommandContext, UsageError } from '../cli-context.js';
import { formatBytes, renderTable } from '../format.js';
import { type TransferProgressBar, transferProgressBar } from './transfer-progress-bar.js';

type Action = (
  command: Command,
  handler: (context: CommandContext, options: Record<string, unknown>) => Promise<void>,
) => void;

const runIdOption = (description: string) =>
  new Option('-r, --run-id <id>', description).makeOptionMandatory();
const artifactPathOption = (description: string) => new Option('-a, --artifact-path <path>', description);

/** Runs a transfer with a progress bar on a terminal, releasing the bar however the transfer ends. */
async function withProgress<T>(
  context: CommandContext,
  label: string,
  transfer: (onProgress: TransferProgressBar['onProgress']) => Promise<T>,
): Promise<T> {
  const bar = transferProgressBar(context, label);
  try {
    return await transfer(bar.onProgress);
  } finally {
    bar.stop();
  }
}

/** `cairn artifacts ...`: MLflow's `mlflow artifacts` commands and flags. */
export function registerArtifactCommands(program: Command, action: Action): void {
  const artifacts = program.command('artifacts').description("Upload, list and download a run's artifacts");

  const logArtifact = (command: Command) =>
    action(
      command
        .requiredOption('-l, --local-file <path>', 'the local file to upload')
        .addOption(runIdOption('the run to log into'))
        .addOption(artifactPathOption('the directory inside the run to put it in')),
      async (context, options) => {
        const runId = String(options.runId);
        const local = context.localPath(String(options.localFile));
        await withProgress(context, 'Uploading', (onProgress) =>
          context
            .client()
            .logArtifact(runId, local, options.artifactPath as string | undefined, { onProgress }),
        );
        if (context.json)
          context.printJson({ run_id: runId, local_file: local, artifact_path: options.artifactPath ?? '' });
        else
          context.print(
            `Logged artifact from local file ${local} to artifact_path=${options.artifactPath ?? 'None'}`,
          );
      },
    );
  logArtifact(artifacts.command('log-artifact').description('Upload one local file into a run'));
  logArtifact(
    artifacts.command('log').description('Upload one local file into a run (alias of log-artifact)'),
  );

  action(
    artifacts
      .command('log-artifacts')
      .description('Upload a local directory tree into a run')
      .requiredOption('-l, --local-dir <path>', 'the local directory to upload')
      .addOption(runIdOption('the run to log into'))
      .addOption(artifactPathOption('the directory inside the run to put it in')),
    async (context, options) => {
      const runId = String(options.runId);
      const local = context.localPath(String(options.localDir));
      await withProgress(context, 'Uploading', (onProgress) =>
        context
          .client()
          .logArtifacts(runId, local, options.artifactPath as string | undefined, { onProgress }),
      );
      if (context.json)
        context.printJson({ run_id: runId, local_dir: local, artifact_path: options.artifactPath ?? '' });
      else
        context.print(
          `Logged artifacts from local directory ${local} to artifact_path=${options.artifactPath ?? 'None'}`,
        );
    },
  );

  action(
    artifacts
      .command('list')
      .description('List the artifacts in a run directory')
      .addOption(runIdOption('the run to list'))
      .addOption(artifactPathOption('a directory inside the run (default: its root)')),
    async (context, options) => {
      const files: FileInfo[] = await context
        .client()
        .listArtifacts(String(options.runId), options.artifactPath as string | undefined);
      if (context.json) return context.printJson(files);
      context.print(
        renderTable(
          ['Path', 'Type', 'Size'],
          files.map((file) => [file.path, file.is_dir ? 'dir' : 'file', formatBytes(file.file_size)]),
        ),
      );
    },
  );

  action(
    artifacts
      .command('download')
      .description('Download an artifact file or directory; prints the local path')
      .addOption(new Option('-r, --run-id <id>', 'the run to download from').conflicts('artifactUri'))
      .addOption(artifactPathOption('a path inside the run (default: everything)').conflicts('artifactUri'))
      .option('-u, --artifact-uri <uri>', 'an artifact URI instead of a run, e.g. runs:/<run id>/model')
      .option('-d, --dst-path <path>', 'the local destination directory (default: a new temp directory)'),
    async (context, options) => {
      const dstPath = options.dstPath === undefined ? undefined : context.localPath(String(options.dstPath));
      if (options.runId === undefined && options.artifactUri === undefined) {
        throw new UsageError('give --run-id (with an optional --artifact-path) or --artifact-uri');
      }
      const local = await withProgress(context, 'Downloading', (onProgress) =>
        context.client().downloadArtifacts({
          runId: options.runId as string | undefined,
          artifactPath: options.artifactPath as string | undefined,
          artifactUri: options.artifactUri as string | undefined,
          dstPath,
          onProgress,
        }),
      );
      if (context.json) context.printJson({ local_path: local });
      else context.print(local);
    },
  );
}
