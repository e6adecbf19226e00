import { limits, type Metric, toCairnError, validateMetric } from '@cairn/core';

/** Tuning of {@link MetricBatcher}. */
export interface MetricBatcherOptions {
  /** Points per store write, and the queue length that triggers a flush; at most 1,000 (MLflow's cap). */
  batchSize?: number;
  /** Points the queue may hold before `add` makes callers wait; default 100,000. */
  maxQueueSize?: number;
  /** A flush also happens this often while points wait; default 1,000 ms. 0 disables the timer. */
  flushIntervalMs?: number;
}

/** Writes one run's points; the batcher calls it with at most `batchSize` points at a time. */
export type MetricSink = (runId: string, metrics: Metric[]) => Promise<void>;

interface Queued {
  runId: string;
  metric: Metric;
}

/**
 * The in-process metric queue behind the fluent `logMetric`: adding a point validates it and returns
 * without I/O; points are written in batches when the queue reaches `batchSize`, on a timer, and on
 * `flush()`. One write is in flight at a time, so points reach the store in the order they were logged.
 *
 * A failed write is never swallowed: the error is kept and thrown by the next `add` or `flush`, once.
 * The points of the failed write are dropped (the store refused them; retrying would fail the same way).
 */
export class MetricBatcher {
  readonly #sink: MetricSink;
  readonly #batchSize: number;
  readonly #maxQueueSize: number;
  readonly #flushIntervalMs: number;
  #queue: Queued[] = [];
  #flushing: Promise<void> | undefined;
  #error: unknown;
  #timer: NodeJS.Timeout | undefined;
  /** Points written since the batcher was created. */
  written = 0;

  constructor(sink: MetricSink, options: MetricBatcherOptions = {}) {
    this.#sink = sink;
    this.#batchSize = Math.min(
      Math.max(1, options.batchSize ?? limits.maxMetricsPerBatch),
      limits.maxMetricsPerBatch,
    );
    this.#maxQueueSize = Math.max(this.#batchSize, options.maxQueueSize ?? 100_000);
    this.#flushIntervalMs = options.flushIntervalMs ?? 1_000;
  }

  /** Points waiting to be written (not counting a write in flight). */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues a point. Returns nothing when there was room, or a promise that resolves once the queue has
   * room again (await it: `await logMetric(...)` is always safe). Throws a validation error, or the error
   * of an earlier failed write.
   */
  add(runId: string, metric: Metric): void | Promise<void> {
    this.#throwPending();
    validateMetric(metric);
    if (this.#queue.length >= this.#maxQueueSize) return this.#waitForRoom(runId, metric);
    this.#queue.push({ runId, metric });
    // The flush never rejects: its error is kept and thrown by the next call.
    if (this.#queue.length >= this.#batchSize) void this.#startFlush();
    else this.#armTimer();
  }

  /** Writes every queued point; rejects with the first write error (including one from an earlier flush). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined || this.#queue.length > 0) {
      await (this.#flushing ?? this.#startFlush());
    }
    this.#throwPending();
  }

  /** Stops the timer; queued points stay queued until `flush()`. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #waitForRoom(runId: string, metric: Metric): Promise<void> {
    while (this.#queue.length >= this.#maxQueueSize) {
      await (this.#flushing ?? this.#startFlush());
      this.#throwPending();
    }
    this.#queue.push({ runId, metric });
  }

  #throwPending(): void {
    if (this.#error === undefined) return;
    const error = this.#error;
    this.#error = undefined;
    throw toCairnError(error);
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#flushIntervalMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#flushing === undefined && this.#queue.length > 0) void this.#startFlush();
    }, this.#flushIntervalMs);
    // Never keeps the process alive; the exit hook flushes what is left.
    this.#timer.unref();
  }

  #startFlush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    this.stop();
    const flushing = this.#drain()
      .catch((error: unknown) => {
        this.#error ??= error;
      })
      .finally(() => {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#armTimer();
      });
    this.#flushing = flushing;
    return flushing;
  }

  /**
   * Writes one chunk, then more only while whole batches are waiting: points that arrive during a write
   * wait for the next size trigger, the timer or `flush()` instead of going out in tiny writes.
   */
  async #drain(): Promise<void> {
    do {
      const chunk = this.#queue.splice(0, this.#batchSize);
      // Consecutive points of one run go in one write; nested runs interleave rarely.
      let start = 0;
      while (start < chunk.length) {
        const runId = chunk[start]?.runId ?? '';
        let end = start + 1;
        while (end < chunk.length && chunk[end]?.runId === runId) end += 1;
        await this.#sink(
          runId,
          chunk.slice(start, end).map((entry) => entry.metric),
        );
        this.written += end - start;
        start = end;
      }
    } while (this.#queue.length >= this.#batchSize);
  }
}
