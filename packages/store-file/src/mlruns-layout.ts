import { join } from 'node:path';
import {
  type Experiment,
  enumFromWire,
  type LifecycleStage,
  type Metric,
  type RunInfo,
  type RunStatus,
  runStatusNumber,
  sourceTypeNumber,
} from '@cairn/core';

/** Folder names inside an experiment that are not runs (MLflow reserves them). */
export const reservedExperimentFolders = new Set(['tags', 'datasets', 'traces', 'models']);
/** Where deleted experiments are moved. */
export const trashFolder = '.trash';
export const metaFile = 'meta.yaml';
/**
 * The root lock's name ends with `.trash` because MLflow takes every other folder in the root for an
 * experiment and fails the whole search on a name that is not an experiment id; it skips `*.trash`.
 */
export const rootLockSuffix = trashFolder;

/** The directories of one run. */
export function runPaths(runDir: string) {
  return {
    meta: join(runDir, metaFile),
    metrics: join(runDir, 'metrics'),
    params: join(runDir, 'params'),
    tags: join(runDir, 'tags'),
    inputs: join(runDir, 'inputs'),
    outputs: join(runDir, 'outputs'),
  };
}

/** A number as Python's `str(float)` prints it in metric files (`nan`, `inf`, `-inf`). */
export const pythonFloat = (value: number): string => {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
};

/** Reads a number printed by Python (`nan`, `inf`...); throws on anything else. */
export const parsePythonFloat = (text: string): number => {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`not a number: '${text}'`);
  return value;
};

/** One line of a `metrics/<key>` file: `timestamp value step[ dataset_name dataset_digest]`, as MLflow writes. */
export function formatMetricLine(metric: Metric): string {
  const base = `${metric.timestamp} ${pythonFloat(metric.value)} ${metric.step}`;
  // Fields are space-separated and MLflow fails the whole metric on a line without 2, 3 or 5 of them, so a
  // dataset name or digest that is empty or has whitespace is left out rather than written.
  const field = (text: string | undefined) => text !== undefined && /^\S+$/u.test(text);
  return field(metric.dataset_name) && field(metric.dataset_digest)
    ? `${base} ${metric.dataset_name} ${metric.dataset_digest}\n`
    : `${base}\n`;
}

/**
 * Parses a `metrics/<key>` file. A two-field line (older MLflow) means step 0. Every writer ends its lines
 * with a newline, so text after the last one is an append still in flight or cut short, and is not read;
 * an unreadable line is skipped rather than failing the whole run.
 */
export function parseMetricFile(key: string, text: string): Metric[] {
  const points: Metric[] = [];
  for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 2 || fields[0] === '') continue;
    try {
      const point: Metric = {
        key,
        timestamp: Number.parseInt(fields[0] ?? '', 10),
        value: parsePythonFloat(fields[1] ?? ''),
        step: fields[2] === undefined ? 0 : Number.parseInt(fields[2], 10),
      };
      if (!Number.isFinite(point.timestamp) || !Number.isFinite(point.step)) continue;
      if (fields.length >= 5) {
        point.dataset_name = fields[3];
        point.dataset_digest = fields[4];
      }
      points.push(point);
    } catch {
      // A partial line from an interrupted append; the complete lines are still good.
    }
  }
  return points;
}

const asString = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const asOptionalInt = (value: unknown): number | undefined =>
  value === null || value === undefined || value === '' ? undefined : Number(value);
const asStage = (value: unknown): LifecycleStage => (value === 'deleted' ? 'deleted' : 'active');

/** An experiment's `meta.yaml`, with MLflow 3's keys. */
export function experimentMeta(experiment: Omit<Experiment, 'tags'>): Record<string, unknown> {
  return {
    artifact_location: experiment.artifact_location,
    creation_time: experiment.creation_time ?? null,
    effective_trace_archival_retention: null,
    experiment_id: experiment.experiment_id,
    last_update_time: experiment.last_update_time ?? null,
    lifecycle_stage: experiment.lifecycle_stage,
    name: experiment.name,
    trace_location: null,
    workspace: 'default',
  };
}

/** Reads an experiment from its `meta.yaml` (tags are files, read separately). */
export function experimentFromMeta(meta: Record<string, unknown>): Omit<Experiment, 'tags'> {
  const experiment: Omit<Experiment, 'tags'> = {
    experiment_id: asString(meta.experiment_id),
    name: asString(meta.name),
    artifact_location: asString(meta.artifact_location),
    lifecycle_stage: asStage(meta.lifecycle_stage),
  };
  const created = asOptionalInt(meta.creation_time);
  const updated = asOptionalInt(meta.last_update_time);
  if (created !== undefined) experiment.creation_time = created;
  if (updated !== undefined) experiment.last_update_time = updated;
  return experiment;
}

/** The run fields MLflow keeps in `meta.yaml` that the RunInfo entity does not carry. */
export interface RunMetaExtras {
  deleted_time?: number | null;
}

/** A run's `meta.yaml`, with MLflow's keys: status as its proto number, tags always an empty list. */
export function runMeta(info: RunInfo, extras: RunMetaExtras = {}): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    artifact_uri: info.artifact_uri,
    end_time: info.end_time ?? null,
    entry_point_name: '',
    experiment_id: info.experiment_id,
    lifecycle_stage: info.lifecycle_stage,
    run_id: info.run_id,
    run_name: info.run_name,
    // MLflow 3 no longer writes it, but MLflow 2 cannot build a run without it; MLflow 3 ignores it.
    run_uuid: info.run_id,
    source_name: '',
    source_type: sourceTypeNumber.LOCAL,
    source_version: '',
    start_time: info.start_time,
    status: runStatusNumber[info.status],
    tags: [],
    user_id: info.user_id,
  };
  if (extras.deleted_time !== undefined && extras.deleted_time !== null)
    meta.deleted_time = extras.deleted_time;
  return Object.fromEntries(Object.entries(meta).sort(([left], [right]) => (left < right ? -1 : 1)));
}

/** Reads a RunInfo from a run's `meta.yaml`; `run_uuid` is MLflow's older name for the id. */
export function runFromMeta(meta: Record<string, unknown>): { info: RunInfo; deletedTime?: number } {
  const runId = asString(meta.run_id ?? meta.run_uuid);
  const status: RunStatus = enumFromWire(runStatusNumber, meta.status) ?? 'RUNNING';
  const info: RunInfo = {
    run_id: runId,
    run_uuid: runId,
    run_name: asString(meta.run_name),
    experiment_id: asString(meta.experiment_id),
    user_id: asString(meta.user_id),
    status,
    start_time: asOptionalInt(meta.start_time) ?? 0,
    artifact_uri: asString(meta.artifact_uri),
    lifecycle_stage: asStage(meta.lifecycle_stage),
  };
  const endTime = asOptionalInt(meta.end_time);
  if (endTime !== undefined) info.end_time = endTime;
  const deletedTime = asOptionalInt(meta.deleted_time);
  return deletedTime === undefined ? { info } : { info, deletedTime };
}
