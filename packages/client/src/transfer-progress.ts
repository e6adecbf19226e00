/** How far a transfer has come; totals are known before the first byte moves. */
export interface TransferProgress {
  /** Bytes read from the source so far (for uploads: handed to the store; for downloads: written locally). */
  bytesDone: number;
  bytesTotal: number;
  /** Files finished so far. */
  filesDone: number;
  filesTotal: number;
}

/** Called as a transfer moves bytes and finishes files (often: once per chunk). Must not throw. */
export type TransferProgressCallback = (progress: TransferProgress) => void;

/** Options every artifact transfer accepts. */
export interface TransferOptions {
  /** Told about bytes and files as they move; see {@link TransferProgress}. */
  onProgress?: TransferProgressCallback;
}

/**
 * Counts one transfer's bytes and files and reports them. The totals are fixed up front (from local stat
 * or the store's listing), so a progress bar can show a fraction and an ETA from the first report.
 */
export class ProgressTracker {
  readonly #callback: TransferProgressCallback | undefined;
  readonly #progress: TransferProgress;

  constructor(callback: TransferProgressCallback | undefined, totals: { bytes: number; files: number }) {
    this.#callback = callback;
    this.#progress = { bytesDone: 0, bytesTotal: totals.bytes, filesDone: 0, filesTotal: totals.files };
    this.#report();
  }

  /** Passes `source` through, counting its bytes as the consumer pulls them (errors pass through too). */
  async *count(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.addBytes(chunk.byteLength);
      yield chunk;
    }
  }

  /** Records bytes moved. */
  addBytes(count: number): void {
    this.#progress.bytesDone += count;
    this.#report();
  }

  /** Records one finished file. */
  fileDone(): void {
    this.#progress.filesDone += 1;
    this.#report();
  }

  #report(): void {
    this.#callback?.({ ...this.#progress });
  }
}
