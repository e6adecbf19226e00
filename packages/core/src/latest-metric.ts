import type { Metric } from './entities/tracking.js';

/**
 * True when `candidate` supersedes `current` as a run's "latest" value of a metric: MLflow picks the point
 * with the highest step, then the highest timestamp, then the highest value (NaN above every number, as
 * MLflow's SQL store orders its `is_nan` flag first).
 */
export function isLaterMetric(candidate: Metric, current: Metric): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  if (Number.isNaN(candidate.value) || Number.isNaN(current.value)) {
    return Number.isNaN(candidate.value) && !Number.isNaN(current.value);
  }
  return candidate.value > current.value;
}

/** Reduces metric points (any keys, any order) to the latest point per key, in first-seen key order. */
export function latestMetrics(points: Iterable<Metric>): Metric[] {
  const latest = new Map<string, Metric>();
  for (const point of points) {
    const current = latest.get(point.key);
    if (current === undefined || isLaterMetric(point, current)) latest.set(point.key, point);
  }
  return [...latest.values()];
}
