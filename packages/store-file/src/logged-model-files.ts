import { join } from 'node:path';
import { type LoggedModel, loggedModelStatusCode, loggedModelStatusFromCode, type Metric } from '@cairn/core';
import { metaFile, parsePythonFloat, pythonFloat } from './mlruns-layout.js';

/** The folder of a logged model inside its experiment: `<experiment>/models/<model_id>`, as MLflow's FileStore. */
export function loggedModelPaths(experimentDir: string, modelId: string) {
  const dir = join(experimentDir, 'models', modelId);
  return {
    dir,
    meta: join(dir, metaFile),
    metrics: join(dir, 'metrics'),
    params: join(dir, 'params'),
    tags: join(dir, 'tags'),
  };
}

/** A model id that is one safe path component (`m-<hex>` from Cairn or MLflow). */
export const isSafeModelId = (modelId: string): boolean => /^[\w-]+$/u.test(modelId);

/**
 * A logged model's `meta.yaml`: MLflow's `LoggedModel.to_dictionary()` without tags, params and metrics,
 * keys sorted as MLflow writes them, status as its integer, and `lifecycle_stage: deleted` once deleted.
 */
export function loggedModelMeta(info: LoggedModel['info'], deleted: boolean): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    artifact_location: info.artifact_uri,
    creation_timestamp: info.creation_timestamp_ms,
    experiment_id: info.experiment_id,
    last_updated_timestamp: info.last_updated_timestamp_ms,
  };
  if (deleted) meta.lifecycle_stage = 'deleted';
  Object.assign(meta, {
    model_id: info.model_id,
    model_type: info.model_type ?? null,
    name: info.name,
    source_run_id: info.source_run_id ?? null,
    status: loggedModelStatusCode(info.status),
    status_message: info.status_message ?? null,
  });
  return meta;
}

const text = (value: unknown): string | undefined =>
  value === null || value === undefined || value === '' ? undefined : String(value);

/** Reads a logged model's `meta.yaml` (written by MLflow or Cairn) into its info, without tags. */
export function loggedModelFromMeta(meta: Record<string, unknown>): {
  info: Omit<LoggedModel['info'], 'tags'>;
  deleted: boolean;
} {
  const info: Omit<LoggedModel['info'], 'tags'> = {
    model_id: String(meta.model_id ?? ''),
    experiment_id: String(meta.experiment_id ?? ''),
    name: String(meta.name ?? ''),
    creation_timestamp_ms: Number(meta.creation_timestamp ?? 0),
    last_updated_timestamp_ms: Number(meta.last_updated_timestamp ?? meta.creation_timestamp ?? 0),
    artifact_uri: String(meta.artifact_location ?? ''),
    status: loggedModelStatusFromCode(Number(meta.status ?? 0)),
  };
  const modelType = text(meta.model_type);
  const sourceRunId = text(meta.source_run_id);
  const statusMessage = text(meta.status_message);
  if (modelType !== undefined) info.model_type = modelType;
  if (sourceRunId !== undefined) info.source_run_id = sourceRunId;
  if (statusMessage !== undefined) info.status_message = statusMessage;
  return { info, deleted: meta.lifecycle_stage === 'deleted' };
}

/** One line of a model's `metrics/<key>` file: `timestamp value step run_id[ dataset_name dataset_digest]`. */
export function formatModelMetricLine(metric: Metric, runId: string): string {
  const base = `${metric.timestamp} ${pythonFloat(metric.value)} ${metric.step} ${runId}`;
  // MLflow reads 4 or 6 fields and fails the model on anything else, so only whole dataset names go in.
  const field = (value: string | undefined) => value !== undefined && /^\S+$/u.test(value);
  return field(metric.dataset_name) && field(metric.dataset_digest)
    ? `${base} ${metric.dataset_name} ${metric.dataset_digest}\n`
    : `${base}\n`;
}

/** Parses a model's `metrics/<key>` file; incomplete or unreadable lines are skipped. */
export function parseModelMetricFile(key: string, content: string, modelId: string): Metric[] {
  const points: Metric[] = [];
  for (const line of content.slice(0, content.lastIndexOf('\n') + 1).split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length !== 4 && fields.length !== 6) continue;
    try {
      const point: Metric = {
        key,
        timestamp: Number.parseInt(fields[0] ?? '', 10),
        value: parsePythonFloat(fields[1] ?? ''),
        step: Number.parseInt(fields[2] ?? '', 10),
        run_id: fields[3] ?? '',
        model_id: modelId,
      };
      if (!Number.isFinite(point.timestamp) || !Number.isFinite(point.step)) continue;
      if (fields.length === 6) {
        point.dataset_name = fields[4];
        point.dataset_digest = fields[5];
      }
      points.push(point);
    } catch {
      // A partial line from an interrupted append.
    }
  }
  return points;
}
