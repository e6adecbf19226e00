import type { Metric, MetricWithRunId } from '@cairn/core';

/** A request of the reference sampler: the store method's arguments. */
export interface ReferenceSampleQuery {
  runIds: readonly string[];
  startStep?: number;
  endStep?: number;
  maxResults?: number;
}

/**
 * MLflow's get-history-bulk-interval computed the slow, obvious way over whole histories, written apart
 * from Cairn's sampler so the suite checks stores against the rules rather than against the code under test:
 * the distinct steps of all runs; without a range 0 to the largest step; at most maxResults of the range's
 * steps at floor(i * count / maxResults), plus the last; plus each run's first and last step in the range;
 * every point at those steps, run by run, ordered by (step, timestamp, value).
 */
export function referenceSample(
  histories: ReadonlyMap<string, readonly Metric[]>,
  metricKey: string,
  query: ReferenceSampleQuery,
): MetricWithRunId[] {
  const runIds = [...new Set(query.runIds)];
  const stepsOf = (runId: string) => (histories.get(runId) ?? []).map((point) => point.step);
  const allSteps = [...new Set(runIds.flatMap(stepsOf))].sort((left, right) => left - right);
  const start = query.startStep ?? 0;
  const end = query.endStep ?? allSteps[allSteps.length - 1] ?? 0;
  const inRange = allSteps.filter((step) => step >= start && step <= end);
  const maxResults = query.maxResults ?? 2500;
  const kept = new Set<number>();
  if (inRange.length <= maxResults) {
    for (const step of inRange) kept.add(step);
  } else {
    const interval = inRange.length / maxResults;
    for (let i = 0; i < maxResults; i += 1) kept.add(inRange[Math.floor(i * interval)] as number);
    kept.add(inRange[inRange.length - 1] as number);
  }
  for (const runId of runIds) {
    const steps = stepsOf(runId);
    if (steps.length === 0) continue;
    for (const edge of [Math.min(...steps), Math.max(...steps)])
      if (edge >= start && edge <= end) kept.add(edge);
  }
  const byValue = (left: number, right: number) =>
    Number.isNaN(left) || Number.isNaN(right)
      ? Number(Number.isNaN(left)) - Number(Number.isNaN(right))
      : Math.sign(left - right) || 0;
  return runIds.flatMap((runId) =>
    (histories.get(runId) ?? [])
      .filter((point) => kept.has(point.step))
      .sort(
        (left, right) =>
          left.step - right.step || left.timestamp - right.timestamp || byValue(left.value, right.value),
      )
      .slice(0, 25_000)
      .map((point) => ({
        key: metricKey,
        value: point.value,
        timestamp: point.timestamp,
        step: point.step,
        run_id: runId,
      })),
  );
}
