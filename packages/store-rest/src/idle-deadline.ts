/** An abort signal that fires after a quiet spell rather than after a fixed total time. */
export interface IdleDeadline {
  readonly signal: AbortSignal;
  /** Progress was made: the wait starts again. */
  touch(): void;
  /** The transfer is over: the deadline no longer fires. */
  done(): void;
  /** Passes a byte stream through, restarting the wait on every chunk and ending the deadline with it. */
  watch(stream: ReadableStream<Uint8Array>, endsTransfer: boolean): ReadableStream<Uint8Array>;
}

/**
 * Starts a deadline that aborts when `ms` pass without progress, as MLflow's client (requests) applies
 * `MLFLOW_HTTP_REQUEST_TIMEOUT` to each read, not to the whole transfer: a 1 GB artifact on a slow but
 * steady link finishes, a stalled one fails after `ms`. The abort reason is a `TimeoutError`.
 */
export function startIdleDeadline(ms: number): IdleDeadline {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = () => clearTimeout(timer);
  const touch = () => {
    clearTimeout(timer);
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      controller.abort(new DOMException(`no data moved for ${ms / 1000} s`, 'TimeoutError'));
    }, ms);
    // A forgotten deadline must not keep a Node process alive (browsers' timers have no unref).
    (timer as { unref?: () => void }).unref?.();
  };
  touch();
  return {
    signal: controller.signal,
    touch,
    done,
    watch: (stream, endsTransfer) =>
      stream.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, sink) {
            touch();
            sink.enqueue(chunk);
          },
          flush() {
            if (endsTransfer) done();
          },
        }),
      ),
  };
}
