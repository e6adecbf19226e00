import type { DatasetInput, Metric, Param, RunTag } from './entities/tracking.js';
import { invalidParameter } from './errors.js';
import { limits } from './limits.js';

// Keys become file names in the mlruns layout, so MLflow restricts them to a safe alphabet and to
// "path-unique" forms (no `a//b`, `./a`, `a/`, leading `/` or `..`).
const keyPattern = /^[/\w.\- :]*$/u;

function isPathUnique(key: string): boolean {
  if (key === '' || key === '.' || key.startsWith('/') || key.endsWith('/')) return false;
  const segments = key.split('/');
  return segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Rejects a metric, param or tag key MLflow would reject, naming what kind of key it is. */
export function validateEntityKey(kind: 'metric' | 'param' | 'tag', key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidParameter(`Invalid ${kind} name: ${kind} key must be a non-empty string`, { field: 'key' });
  }
  if (key.length > limits.maxEntityKeyLength) {
    throw invalidParameter(
      `${kind} key '${key.slice(0, 40)}...' had length ${key.length}, which exceeded length limit of ${limits.maxEntityKeyLength}`,
      { field: 'key', limit: limits.maxEntityKeyLength },
    );
  }
  if (!keyPattern.test(key)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).`,
      { field: 'key' },
    );
  }
  if (!isPathUnique(key)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names cannot contain empty path segments, '.' or '..', nor start or end with '/'.`,
      { field: 'key' },
    );
  }
  return key;
}

/** Validates a metric point. NaN and +/-Infinity are valid values. */
export function validateMetric(metric: Metric): Metric {
  validateEntityKey('metric', metric.key);
  return validateMetricPoint(metric);
}

/** The checks of {@link validateMetric} that are not about the key. */
function validateMetricPoint(metric: Metric): Metric {
  if (typeof metric.value !== 'number') {
    throw invalidParameter(
      `Got invalid value ${String(metric.value)} for metric '${metric.key}' (value must be a number)`,
      {
        field: 'value',
      },
    );
  }
  if (!Number.isInteger(metric.timestamp) || metric.timestamp < 0) {
    throw invalidParameter(
      `Got invalid timestamp ${String(metric.timestamp)} for metric '${metric.key}' (timestamp must be a non-negative integer)`,
      { field: 'timestamp' },
    );
  }
  if (!Number.isInteger(metric.step)) {
    throw invalidParameter(
      `Got invalid step ${String(metric.step)} for metric '${metric.key}' (step must be an integer)`,
      {
        field: 'step',
      },
    );
  }
  return metric;
}

/** Validates a param and truncates an over-long value to MLflow's limit, as MLflow does by default. */
export function validateParam(param: Param): Param {
  validateEntityKey('param', param.key);
  if (typeof param.value !== 'string') {
    throw invalidParameter(`Param '${param.key}' must have a string value`, { field: 'value' });
  }
  if (param.value.length > limits.maxParamValueLength) {
    return { key: param.key, value: param.value.slice(0, limits.maxParamValueLength) };
  }
  return param;
}

/** Validates a run tag and truncates an over-long value to MLflow's limit. */
export function validateRunTag(tag: RunTag): RunTag {
  validateEntityKey('tag', tag.key);
  if (typeof tag.value !== 'string') {
    throw invalidParameter(`Tag '${tag.key}' must have a string value`, { field: 'value' });
  }
  if (tag.value.length > limits.maxTagValueLength) {
    return { key: tag.key, value: tag.value.slice(0, limits.maxTagValueLength) };
  }
  return tag;
}

/** Validates an experiment tag; over-long values are rejected (MLflow does not truncate these). */
export function validateExperimentTag(tag: { key: string; value: string }): { key: string; value: string } {
  validateEntityKey('tag', tag.key);
  if (typeof tag.value !== 'string') {
    throw invalidParameter(`Experiment tag '${tag.key}' must have a string value`, { field: 'value' });
  }
  if (tag.value.length > limits.maxExperimentTagValueLength) {
    throw invalidParameter(
      `Experiment tag '${tag.key}' had value length ${tag.value.length}, which exceeded length limit of ${limits.maxExperimentTagValueLength}`,
      { field: 'value', limit: limits.maxExperimentTagValueLength },
    );
  }
  return tag;
}

/** Validates an experiment name. */
export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw invalidParameter(
      `Invalid experiment name: '${String(name)}'. Experiment name must be a non-empty string`,
      {
        field: 'name',
      },
    );
  }
  if (name.length > limits.maxExperimentNameLength) {
    throw invalidParameter(
      `Experiment name had length ${name.length}, which exceeded length limit of ${limits.maxExperimentNameLength}`,
      { field: 'name', limit: limits.maxExperimentNameLength },
    );
  }
  return name;
}

/** Validates an experiment's artifact location: bounded, not a `runs:` URI, no fragment or query. */
export function validateArtifactLocation(location: string): string {
  if (location.length > limits.maxArtifactLocationLength) {
    throw invalidParameter(
      `Invalid artifact location: length ${location.length} exceeds the limit of ${limits.maxArtifactLocationLength}`,
      { field: 'artifact_location', limit: limits.maxArtifactLocationLength },
    );
  }
  if (location.startsWith('runs:')) {
    throw invalidParameter(`Artifact location cannot be a runs:/ URI: '${location}'`, {
      field: 'artifact_location',
    });
  }
  if (/[#?;]/u.test(location) || location.includes('\0')) {
    throw invalidParameter(
      `Invalid artifact location '${location}': it must not contain a fragment, query, ';' parameters or NUL`,
      { field: 'artifact_location' },
    );
  }
  return location;
}

/** A log-batch request, validated and normalised (truncated values) by {@link validateLogBatch}. */
export interface LogBatchContent {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

/**
 * Validates a whole batch before anything is written, so a batch is stored entirely or not at all.
 * Enforces MLflow's per-batch caps and rejects duplicate param keys with different values.
 */
export function validateLogBatch(batch: LogBatchContent): LogBatchContent {
  const { metrics, params, tags } = batch;
  if (metrics.length > limits.maxMetricsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limits.maxMetricsPerBatch} metrics. Got ${metrics.length} metrics.`,
      { field: 'metrics', limit: limits.maxMetricsPerBatch },
    );
  }
  if (params.length > limits.maxParamsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limits.maxParamsPerBatch} params. Got ${params.length} params.`,
      { field: 'params', limit: limits.maxParamsPerBatch },
    );
  }
  if (tags.length > limits.maxTagsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limits.maxTagsPerBatch} tags. Got ${tags.length} tags.`,
      { field: 'tags', limit: limits.maxTagsPerBatch },
    );
  }
  const total = metrics.length + params.length + tags.length;
  if (total > limits.maxEntitiesPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limits.maxEntitiesPerBatch} metrics, params and tags in total. Got ${total}.`,
      { field: 'metrics', limit: limits.maxEntitiesPerBatch },
    );
  }
  const normalisedParams = params.map(validateParam);
  const seen = new Map<string, string>();
  for (const param of normalisedParams) {
    const previous = seen.get(param.key);
    if (previous !== undefined && previous !== param.value) {
      throw invalidParameter(
        `Duplicate parameter keys have been submitted with different values: '${param.key}'`,
        { field: 'params' },
      );
    }
    seen.set(param.key, param.value);
  }
  const checkedKeys = new Set<string>();
  return {
    metrics: metrics.map((metric) => {
      // A batch repeats a few keys many times (1,000 points of 10 metrics): each key is checked once.
      if (!checkedKeys.has(metric.key)) {
        validateEntityKey('metric', metric.key);
        checkedKeys.add(metric.key);
      }
      return validateMetricPoint(metric);
    }),
    params: normalisedParams.filter(
      (param, index) => normalisedParams.findIndex((p) => p.key === param.key) === index,
    ),
    tags: tags.map(validateRunTag),
  };
}

/** Validates dataset inputs against MLflow's column limits. */
export function validateDatasetInputs(inputs: DatasetInput[]): DatasetInput[] {
  for (const input of inputs) {
    const { dataset } = input;
    const check = (field: string, value: string | undefined, limit: number, required: boolean) => {
      if (value === undefined || value === '') {
        if (required) throw invalidParameter(`Dataset ${field} is required`, { field: `dataset.${field}` });
        return;
      }
      if (value.length > limit) {
        throw invalidParameter(
          `Dataset ${field} exceeds the maximum length of ${limit} (got ${value.length})`,
          {
            field: `dataset.${field}`,
            limit,
          },
        );
      }
    };
    check('name', dataset.name, limits.maxDatasetNameLength, true);
    check('digest', dataset.digest, limits.maxDatasetDigestLength, true);
    check('source_type', dataset.source_type, 36, true);
    check('source', dataset.source, limits.maxDatasetSourceLength, true);
    check('schema', dataset.schema, limits.maxDatasetSchemaLength, false);
    check('profile', dataset.profile, limits.maxDatasetProfileLength, false);
    for (const tag of input.tags) {
      check('tag key', tag.key, limits.maxInputTagKeyLength, true);
      check('tag value', tag.value, limits.maxInputTagValueLength, true);
    }
  }
  return inputs;
}

const runIdPattern = /^[a-zA-Z0-9][\w-]{0,255}$/u;

/** Validates the form of a run id (MLflow's client-side check). */
export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !runIdPattern.test(runId)) {
    throw invalidParameter(`Invalid run ID: '${String(runId)}'`, { field: 'run_id' });
  }
  return runId;
}

const experimentIdPattern = /^[a-zA-Z0-9][\w-]{0,63}$/u;

/** Validates the form of an experiment id. */
export function validateExperimentId(experimentId: unknown): string {
  if (typeof experimentId !== 'string' || !experimentIdPattern.test(experimentId)) {
    throw invalidParameter(`Invalid experiment ID: '${String(experimentId)}'`, { field: 'experiment_id' });
  }
  return experimentId;
}
