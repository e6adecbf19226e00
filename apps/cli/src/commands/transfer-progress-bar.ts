import type { TransferProgress, TransferProgressCallback } from '@cairn/client';
import cliProgress from 'cli-progress';
import type { CommandContext } from '../cli-context.js';
import { formatBytes } from '../format.js';

/** A progress display for one artifact transfer: pass `onProgress` to the client, call `stop()` when done. */
export interface TransferProgressBar {
  /** Undefined when the bar is off, so the transfer does not even count. */
  readonly onProgress: TransferProgressCallback | undefined;
  /** Draws the final state and releases the terminal line; safe to call more than once. */
  stop(): void;
}

/** Where the bar draws: a terminal stream (process.stderr in real use). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

const quiet: TransferProgressBar = { onProgress: undefined, stop: () => {} };

/**
 * A bar with bytes, rate, ETA and files, drawn on `stream` only when it is a terminal and the command is
 * not printing JSON: scripts and pipes get clean output, a person waiting gets feedback.
 */
export function transferProgressBar(
  context: Pick<CommandContext, 'json'>,
  label: string,
  stream: ProgressStream = process.stderr,
): TransferProgressBar {
  if (context.json || stream.isTTY !== true) return quiet;
  const bar = new cliProgress.SingleBar({
    stream,
    format: `${label} {bar} {percentage}% | {bytes} | {rate} | ETA {eta_formatted} | {files}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: 24,
    hideCursor: true,
    etaBuffer: 50,
    fps: 10,
  });
  const startedAt = Date.now();
  let started = false;
  let stopped = false;
  let last: TransferProgress | undefined;

  const payload = (progress: TransferProgress) => {
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    return {
      bytes: `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
      rate: `${formatBytes(Math.round(progress.bytesDone / seconds))}/s`,
      files: `${progress.filesDone}/${progress.filesTotal} files`,
    };
  };

  return {
    onProgress(progress) {
      if (stopped) return;
      last = progress;
      // An empty transfer still shows a full bar rather than dividing by zero.
      const total = Math.max(progress.bytesTotal, 1);
      const value = progress.bytesTotal === 0 ? 1 : progress.bytesDone;
      if (!started) {
        started = true;
        bar.start(total, value, payload(progress));
      } else {
        bar.setTotal(total);
        bar.update(value, payload(progress));
      }
    },
    stop() {
      if (stopped || !started) {
        stopped = true;
        return;
      }
      stopped = true;
      if (last !== undefined) bar.update(payload(last));
      bar.stop();
    },
  };
}
