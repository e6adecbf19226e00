import type { GetMetricHistoryBulkIntervalInput } from './contracts/tracking-store.js';
import type { Metric, MetricWithRunId } from './entities/tracking.js';
import { invalidParameter } from './errors.js';
import { limits } from './limits.js';
import { compareSortKeys } from './search/search-sort-key.js';

/** What MLflow's server appends to a message of its request validator. */
const apiDocsHint = 'See the API docs for more information about request parameters.';

/** One run's smallest and largest step of a metric, over its whole history. */
export interface MetricStepBounds {
  runId: string;
  minStep: number;
  maxStep: number;
}

/** The distinct steps of one metric over several runs, between two steps (both inclusive). */
export interface MetricStepRange {
  runIds: readonly string[];
  metricKey: string;
  startStep: number;
  endStep: number;
}

/**
 * The reads {@link sampleMetricHistoryBulkInterval} needs from a store, so each backend answers them with
 * its own queries (a database without loading histories) while the selection rules live here once.
 */
export interface MetricHistorySampleReader {
  /** Each run's smallest and largest step of the metric; runs that are unknown or never logged it are left out. */
  stepBounds(runIds: readonly string[], metricKey: string): Promise<MetricStepBounds[]>;
  /**
   * The distinct steps in the range over all its runs, ascending: all of them when there are at most
   * `maxResults`, else the ones at the ranks {@link sampledStepRanks} picks from their count.
   */
  sampledSteps(range: MetricStepRange, maxResults: number): Promise<number[]>;
  /** One run's points at these steps, ordered by (step, timestamp, value; NaN last), at most `limit`. */
  pointsAtSteps(runId: string, metricKey: string, steps: readonly number[], limit: number): Promise<Metric[]>;
}

/**
 * Checks a get-history-bulk-interval request as MLflow's handler does, with its messages: 1 to 100 run ids,
 * a metric key, max_results from 1 to 2500, and both or neither of start_step and end_step, in order.
 */
export function validateMetricHistoryBulkInterval(input: GetMetricHistoryBulkIntervalInput): void {
  const maxRuns = limits.metricHistoryBulkMaxRunIds;
  const maxResults = limits.metricHistoryBulkIntervalMaxResults;
  if (input.runIds.length === 0) {
    throw invalidParameter(`Missing value for required parameter 'run_ids'. ${apiDocsHint}`, {
      field: 'run_ids',
    });
  }
  if (input.runIds.length > maxRuns) {
    throw invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${maxRuns} run_ids. Received ${input.runIds.length} run_ids. ${apiDocsHint}`,
      { field: 'run_ids', limit: maxRuns },
    );
  }
  if (input.metricKey === '') {
    throw invalidParameter(`Missing value for required parameter 'metric_key'. ${apiDocsHint}`, {
      field: 'metric_key',
    });
  }
  for (const field of ['startStep', 'endStep'] as const) {
    const value = input[field];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      const name = field === 'startStep' ? 'start_step' : 'end_step';
      throw invalidParameter(`${name} must be an integer, got ${value}. ${apiDocsHint}`, { field: name });
    }
  }
  const asked = input.maxResults;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1 || asked > maxResults)) {
    throw invalidParameter(`max_results must be between 1 and ${maxResults}. ${apiDocsHint}`, {
      field: 'max_results',
      limit: maxResults,
    });
  }
  const { startStep: start, endStep: end } = input;
  if ((start === undefined) !== (end === undefined)) {
    throw invalidParameter('If either start step or end step are specified, both must be specified.', {
      field: start === undefined ? 'start_step' : 'end_step',
    });
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw invalidParameter(
      `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
      { field: 'end_step' },
    );
  }
}

/**
 * The 0-based ranks MLflow keeps of `count` sorted distinct steps when it may keep `maxResults`: every rank
 * when they fit, else `floor(i * (count / maxResults))` for each i below maxResults, plus the last rank. The
 * arithmetic is the same IEEE double arithmetic as MLflow's Python, so both pick the same steps.
 */
export function sampledStepRanks(count: number, maxResults: number): number[] {
  if (count <= maxResults) return Array.from({ length: count }, (_, rank) => rank);
  const interval = count / maxResults;
  const ranks: number[] = [];
  for (let i = 0; i < maxResults; i += 1) {
    const rank = Math.trunc(i * interval);
    if (rank < count && rank !== ranks[ranks.length - 1]) ranks.push(rank);
  }
  if (ranks[ranks.length - 1] !== count - 1) ranks.push(count - 1);
  return ranks;
}

/** The steps {@link sampledStepRanks} keeps of an ascending list of distinct steps. */
export function sampleSortedSteps(steps: readonly number[], maxResults: number): number[] {
  return sampledStepRanks(steps.length, maxResults).map((rank) => steps[rank] as number);
}

/**
 * MLflow's get-history-bulk-interval over a store's reads: it checks the request, takes each run's first and
 * last step (over the whole history) that fall in the range, adds the sampled distinct steps of the range
 * (without a range: 0 to the largest step, so negative steps are left out, as in MLflow), and returns every
 * point at those steps, run by run in the order asked (a repeated run id once), at most 25,000 per run.
 * Memory is the answer: no history is read whole unless the reader itself does so.
 */
export async function sampleMetricHistoryBulkInterval(
  reader: MetricHistorySampleReader,
  input: GetMetricHistoryBulkIntervalInput,
): Promise<MetricWithRunId[]> {
  validateMetricHistoryBulkInterval(input);
  const runIds = [...new Set(input.runIds)];
  const { metricKey } = input;
  const bounds = await reader.stepBounds(runIds, metricKey);
  if (bounds.length === 0) return [];
  const startStep = input.startStep ?? 0;
  const endStep = input.endStep ?? Math.max(...bounds.map((bound) => bound.maxStep));
  const inRange = (step: number) => step >= startStep && step <= endStep;
  const edges = bounds.flatMap((bound) => [bound.minStep, bound.maxStep]).filter(inRange);
  const withMetric = bounds.map((bound) => bound.runId);
  const sampled =
    startStep > endStep
      ? []
      : await reader.sampledSteps(
          { runIds: withMetric, metricKey, startStep, endStep },
          input.maxResults ?? limits.metricHistoryBulkIntervalMaxResults,
        );
  const steps = [...new Set([...sampled, ...edges])].sort((left, right) => left - right);
  if (steps.length === 0) return [];
  const known = new Set(withMetric);
  const result: MetricWithRunId[] = [];
  for (const runId of runIds) {
    if (!known.has(runId)) continue;
    const points = await reader.pointsAtSteps(runId, metricKey, steps, limits.metricHistoryPageSize);
    for (const point of points) {
      result.push({
        key: metricKey,
        value: point.value,
        timestamp: point.timestamp,
        step: point.step,
        run_id: runId,
      });
    }
  }
  return result;
}

/** Each run's smallest and largest step, from whole histories; runs with no point are left out. */
export async function stepBoundsOfPoints(
  runIds: readonly string[],
  metricKey: string,
  load: (runId: string, metricKey: string) => Promise<readonly Metric[]>,
): Promise<MetricStepBounds[]> {
  const bounds: MetricStepBounds[] = [];
  for (const runId of runIds) {
    let minStep = Number.POSITIVE_INFINITY;
    let maxStep = Number.NEGATIVE_INFINITY;
    for (const point of await load(runId, metricKey)) {
      if (point.step < minStep) minStep = point.step;
      if (point.step > maxStep) maxStep = point.step;
    }
    if (minStep <= maxStep) bounds.push({ runId, minStep, maxStep });
  }
  return bounds;
}

const byStepThenTime = (left: Metric, right: Metric) =>
  compareSortKeys(
    [left.step, left.timestamp, left.value],
    [right.step, right.timestamp, right.value],
    [true, true, true],
  );

/**
 * A {@link MetricHistorySampleReader} over stores that hold or read whole histories (memory, files): `load`
 * returns one run's points of a metric (empty for an unknown run) and is called once per run per reader.
 */
export function metricHistorySampleReaderFromPoints(
  load: (runId: string, metricKey: string) => Promise<readonly Metric[]>,
): MetricHistorySampleReader {
  const loaded = new Map<string, Promise<readonly Metric[]>>();
  const points = (runId: string, metricKey: string) => {
    const id = `${runId}\u0000${metricKey}`;
    let found = loaded.get(id);
    if (found === undefined) {
      found = load(runId, metricKey);
      loaded.set(id, found);
    }
    return found;
  };
  return {
    stepBounds: (runIds, metricKey) => stepBoundsOfPoints(runIds, metricKey, points),
    async sampledSteps(range, maxResults) {
      const steps = new Set<number>();
      for (const runId of range.runIds) {
        for (const point of await points(runId, range.metricKey)) {
          if (point.step >= range.startStep && point.step <= range.endStep) steps.add(point.step);
        }
      }
      return sampleSortedSteps(
        [...steps].sort((left, right) => left - right),
        maxResults,
      );
    },
    async pointsAtSteps(runId, metricKey, steps, limit) {
      const wanted = new Set(steps);
      return (await points(runId, metricKey))
        .filter((point) => wanted.has(point.step))
        .sort(byStepThenTime)
        .slice(0, limit);
    },
  };
}
