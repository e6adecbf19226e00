import {
  type LoggedModelStatus,
  loggedModelStatusNumber,
  loggedModelStatusSchema,
} from '../entities/enums.js';
import { doesNotExist, invalidParameter } from '../errors.js';
import { validateEntityKey, validateParam } from '../validation.js';

/** Characters MLflow forbids in a logged model's name (it becomes part of `models:/` URIs and paths). */
const forbiddenNameCharacters = ['/', ':', '.', '%', '"', "'"] as const;

/** The longest logged-model name MLflow's SQL schema stores (`logged_models.name` is VARCHAR(500)). */
export const maxLoggedModelNameLength = 500;

/** Rejects a logged-model name MLflow would reject; `undefined` (generate one) passes. */
export function validateLoggedModelName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const bad = forbiddenNameCharacters.filter((character) => name.includes(character));
  if (name.length === 0 || bad.length > 0) {
    throw invalidParameter(
      `Invalid model name ('${name}') provided. Model name must be a non-empty string and cannot contain the following characters: ${forbiddenNameCharacters.join(' ')}`,
      { field: 'name' },
    );
  }
  if (name.length > maxLoggedModelNameLength) {
    throw invalidParameter(
      `Logged model name '${name.slice(0, 40)}...' had length ${name.length}, which exceeded length limit of ${maxLoggedModelNameLength}`,
      { field: 'name', limit: maxLoggedModelNameLength },
    );
  }
  return name;
}

/**
 * Validates logged-model params as run params are validated (key rules, values truncated to 6000
 * characters), and folds a key repeated in one call to its last value.
 */
export function validateLoggedModelParams(
  params: readonly { key: string; value: string }[],
): { key: string; value: string }[] {
  const byKey = new Map<string, string>();
  for (const param of params) {
    const valid = validateParam(param);
    byKey.set(valid.key, valid.value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/**
 * Validates logged-model tags: run-tag key rules, string values of any length (MLflow stores them as
 * TEXT, and `mlflow.modelVersions` holds a growing JSON list). A repeated key keeps its last value.
 */
export function validateLoggedModelTags(
  tags: readonly { key: string; value: string }[],
): { key: string; value: string }[] {
  const byKey = new Map<string, string>();
  for (const tag of tags) {
    validateEntityKey('tag', tag.key);
    if (typeof tag.value !== 'string') {
      throw invalidParameter(`Logged model tag '${tag.key}' must have a string value`, { field: 'value' });
    }
    byKey.set(tag.key, tag.value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** Rejects a status that is not one of MLflow's logged-model statuses, naming the field. */
export function validateLoggedModelStatus(status: unknown): LoggedModelStatus {
  const parsed = loggedModelStatusSchema.safeParse(status);
  if (!parsed.success) {
    throw invalidParameter(
      `Invalid logged model status ${JSON.stringify(status)}; expected one of ${loggedModelStatusSchema.options.join(', ')}`,
      { field: 'status' },
    );
  }
  return parsed.data;
}

/** MLflow's RESOURCE_DOES_NOT_EXIST for an unknown (or deleted) logged model. */
export function loggedModelNotFound(modelId: string) {
  return doesNotExist(`Logged model with ID '${modelId}' not found.`, { field: 'model_id' });
}

/** MLflow's RESOURCE_DOES_NOT_EXIST for a tag a logged model does not have. */
export function loggedModelTagNotFound(modelId: string, key: string) {
  return doesNotExist(`No tag with key '${key}' found for model with ID '${modelId}'.`, { field: 'tag_key' });
}

/** Statuses in the integer form MLflow's SQL and file stores keep (`logged_models.status`, meta.yaml): the proto numbers. */
const statusCodes = loggedModelStatusNumber;

/** The integer MLflow stores for a status. */
export function loggedModelStatusCode(status: LoggedModelStatus): number {
  return statusCodes[status];
}

/** The status an integer stored by MLflow stands for; an unknown integer reads as UNSPECIFIED. */
export function loggedModelStatusFromCode(code: number): LoggedModelStatus {
  const found = (Object.keys(statusCodes) as LoggedModelStatus[]).find(
    (status) => statusCodes[status] === code,
  );
  return found ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
}

/** The names a search filter uses for statuses (MLflow's Python `LoggedModelStatus` values). */
const filterStatusNames: Readonly<Record<string, LoggedModelStatus>> = {
  UNSPECIFIED: 'LOGGED_MODEL_STATUS_UNSPECIFIED',
  PENDING: 'LOGGED_MODEL_PENDING',
  READY: 'LOGGED_MODEL_READY',
  FAILED: 'LOGGED_MODEL_UPLOAD_FAILED',
};

/** Reads a status named in a search filter (`READY`, `PENDING`, `FAILED`, `UNSPECIFIED`). */
export function loggedModelStatusFromFilter(value: string): LoggedModelStatus {
  const found = Object.hasOwn(filterStatusNames, value) ? filterStatusNames[value] : undefined;
  if (found === undefined) {
    throw invalidParameter(
      `Unknown model status in filter: '${value}'; expected one of ${Object.keys(filterStatusNames).join(', ')}`,
      { field: 'filter' },
    );
  }
  return found;
}
