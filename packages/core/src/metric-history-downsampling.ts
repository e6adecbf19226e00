import type { GetMetricHistoryDownsampledInput } from './contracts/tracking-store.js';
import type { Metric, MetricWithRunId } from './entities/tracking.js';
import { invalidParameter } from './errors.js';
import { limits } from './limits.js';
import { type MetricStepBounds, stepBoundsOfPoints } from './metric-history-sampling.js';

/** A step range split into `buckets` intervals of (nearly) equal width. */
export interface MetricStepBuckets {
  startStep: number;
  endStep: number;
  buckets: number;
}

/**
 * The reads {@link downsampleMetricHistory} needs from a store: each backend answers them with its own
 * queries (a database without sending the history to JavaScript), while the rules live here once.
 */
export interface MetricHistoryDownsampleReader {
  /** Each run's smallest and largest step of the metric; runs that are unknown or never logged it are left out. */
  stepBounds(runIds: readonly string[], metricKey: string): Promise<MetricStepBounds[]>;
  /**
   * One run's extreme points of each bucket (see {@link metricStepBucket}): the point with the smallest
   * value and the one with the largest (ties: smallest step, then earliest timestamp), NaN points left out;
   * one point when both are the same. Ordered by step, then timestamp.
   */
  bucketExtremes(runId: string, metricKey: string, range: MetricStepBuckets): Promise<Metric[]>;
}

const field = (name: string, message: string, details: Record<string, unknown> = {}) =>
  invalidParameter(message, { field: name, ...details });

/**
 * Checks a downsampling request: 1 to 100 run ids, a metric key, 1 to 5,000 buckets, both or neither of the
 * steps, in order, and a range narrow enough that bucket arithmetic stays exact in every backend.
 */
export function validateMetricHistoryDownsampled(input: GetMetricHistoryDownsampledInput): void {
  const maxRuns = limits.metricHistoryBulkMaxRunIds;
  if (input.runIds.length === 0) throw field('run_ids', "Missing value for required parameter 'run_ids'");
  if (input.runIds.length > maxRuns) {
    throw field('run_ids', `run_ids must name at most ${maxRuns} runs, got ${input.runIds.length}`, {
      limit: maxRuns,
    });
  }
  if (input.metricKey === '') throw field('metric_key', "Missing value for required parameter 'metric_key'");
  const maxBuckets = limits.metricHistoryDownsampleMaxBuckets;
  const buckets = input.buckets;
  if (buckets !== undefined && (!Number.isInteger(buckets) || buckets < 1 || buckets > maxBuckets)) {
    throw field('buckets', `buckets must be an integer from 1 to ${maxBuckets}, got ${buckets}`, {
      limit: maxBuckets,
    });
  }
  for (const name of ['startStep', 'endStep'] as const) {
    const value = input[name];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      const wire = name === 'startStep' ? 'start_step' : 'end_step';
      throw field(wire, `${wire} must be an integer, got ${value}`);
    }
  }
  const { startStep: start, endStep: end } = input;
  if ((start === undefined) !== (end === undefined)) {
    throw field(
      start === undefined ? 'start_step' : 'end_step',
      'If either start step or end step are specified, both must be specified.',
    );
  }
  if (start !== undefined && end !== undefined) {
    if (start > end) {
      throw field(
        'end_step',
        `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
      );
    }
    checkBucketArithmetic({ startStep: start, endStep: end, buckets: buckets ?? defaultBuckets });
  }
}

const defaultBuckets = 1000;

/** Every backend multiplies a step offset by the bucket count in 64-bit integers; keep it within 2^53. */
function checkBucketArithmetic(range: MetricStepBuckets): void {
  const span = range.endStep - range.startStep + 1;
  if (span * range.buckets > Number.MAX_SAFE_INTEGER) {
    throw field(
      'end_step',
      `The step range ${range.startStep}..${range.endStep} split into ${range.buckets} buckets is too wide: (end_step - start_step + 1) * buckets must be at most 2^53 - 1`,
      { limit: Number.MAX_SAFE_INTEGER },
    );
  }
}

/**
 * The bucket of a step in a range: `floor((step - startStep) * buckets / (endStep - startStep + 1))`,
 * computed exactly (SQL backends compute the same in 64-bit integers).
 */
export function metricStepBucket(step: number, range: MetricStepBuckets): number {
  const offset = (step - range.startStep) * range.buckets;
  const span = range.endStep - range.startStep + 1;
  let bucket = Math.floor(offset / span);
  // The float division can round across an integer when span is large; settle it with exact products.
  if (bucket * span > offset) bucket -= 1;
  else if ((bucket + 1) * span <= offset) bucket += 1;
  return bucket;
}

const lowerFirst = (left: Metric, right: Metric) =>
  left.value - right.value || left.step - right.step || left.timestamp - right.timestamp;
const higherFirst = (left: Metric, right: Metric) =>
  right.value - left.value || left.step - right.step || left.timestamp - right.timestamp;
const byStepThenTime = (left: Metric, right: Metric) =>
  left.step - right.step || left.timestamp - right.timestamp;

/** {@link MetricHistoryDownsampleReader.bucketExtremes} over a whole history in memory: the reference. */
export function bucketExtremesOfPoints(points: readonly Metric[], range: MetricStepBuckets): Metric[] {
  const extremes = new Map<number, { low: Metric; high: Metric }>();
  for (const point of points) {
    if (Number.isNaN(point.value) || point.step < range.startStep || point.step > range.endStep) continue;
    const bucket = metricStepBucket(point.step, range);
    const found = extremes.get(bucket);
    if (found === undefined) {
      extremes.set(bucket, { low: point, high: point });
      continue;
    }
    if (lowerFirst(point, found.low) < 0) found.low = point;
    if (higherFirst(point, found.high) < 0) found.high = point;
  }
  const kept: Metric[] = [];
  for (const { low, high } of extremes.values()) {
    kept.push(low);
    if (high !== low) kept.push(high);
  }
  return kept.sort(byStepThenTime).map((point) => ({ ...point }));
}

/**
 * A chart's view of one metric over up to 100 runs with bounded size: the step range (given, or the runs'
 * smallest to largest step) is split into `buckets` equal intervals and each run keeps, per interval, its
 * lowest and highest point, so spikes and dips survive however long the history is (at most `2 * buckets`
 * points per run). Runs come in the order asked (a repeated id once), points by step.
 */
export async function downsampleMetricHistory(
  reader: MetricHistoryDownsampleReader,
  input: GetMetricHistoryDownsampledInput,
): Promise<MetricWithRunId[]> {
  validateMetricHistoryDownsampled(input);
  const runIds = [...new Set(input.runIds)];
  const { metricKey } = input;
  const bounds = await reader.stepBounds(runIds, metricKey);
  if (bounds.length === 0) return [];
  const range: MetricStepBuckets = {
    startStep: input.startStep ?? Math.min(...bounds.map((bound) => bound.minStep)),
    endStep: input.endStep ?? Math.max(...bounds.map((bound) => bound.maxStep)),
    buckets: input.buckets ?? defaultBuckets,
  };
  checkBucketArithmetic(range);
  const known = new Map(bounds.map((bound) => [bound.runId, bound]));
  const result: MetricWithRunId[] = [];
  for (const runId of runIds) {
    const bound = known.get(runId);
    if (bound === undefined || bound.maxStep < range.startStep || bound.minStep > range.endStep) continue;
    for (const point of await reader.bucketExtremes(runId, metricKey, range)) {
      result.push({ ...point, key: metricKey, run_id: runId });
    }
  }
  return result;
}

/**
 * A {@link MetricHistoryDownsampleReader} over stores that hold or read whole histories (memory, files):
 * `load` returns one run's points of a metric (empty for an unknown run).
 */
export function metricHistoryDownsampleReaderFromPoints(
  load: (runId: string, metricKey: string) => Promise<readonly Metric[]>,
): MetricHistoryDownsampleReader {
  return {
    stepBounds: (runIds, metricKey) => stepBoundsOfPoints(runIds, metricKey, load),
    async bucketExtremes(runId, metricKey, range) {
      return bucketExtremesOfPoints(await load(runId, metricKey), range);
    },
  };
}
