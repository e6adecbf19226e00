import { invalidParameter } from '../errors.js';
import { limits } from '../limits.js';
import { validateEntityKey } from '../validation.js';

/** The stages a model version can be in (MLflow's legacy workflow), in canonical spelling. */
export const modelVersionStages = ['None', 'Staging', 'Production', 'Archived'] as const;

/** The stage a deleted version is kept in: never returned, but its number stays taken. */
export const deletedModelVersionStage = 'Deleted_Internal';

/** The stages whose existing versions `archive_existing_versions` may archive. */
export const activeModelVersionStages: readonly string[] = ['Staging', 'Production'];

/** The alias every registered model answers to without being set: its highest live version. */
export const latestAlias = 'latest';

function isPathUnique(name: string): boolean {
  const segments = name.split('/');
  return (
    !name.startsWith('/') &&
    segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..')
  );
}

/** Rejects a registered-model name MLflow would reject: empty, or holding `/` or `:`. */
export function validateModelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalidParameter(`Missing value for required parameter '${field}'.`, { field });
  }
  if (name.includes('/') || name.includes(':')) {
    throw invalidParameter(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`, { field });
  }
  if (!isPathUnique(name)) {
    throw invalidParameter(
      `Invalid value '${name}' for parameter '${field}': it is not a path-unique name.`,
      {
        field,
      },
    );
  }
  return name;
}

/** Parses a version number (`"3"`), as MLflow's `int(version)`; INVALID_PARAMETER_VALUE naming `version`. */
export function validateModelVersionNumber(version: unknown): number {
  const text =
    typeof version === 'number' ? String(version) : typeof version === 'string' ? version.trim() : '';
  if (!/^[+-]?\d+$/.test(text)) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${String(version)}'.`, {
      field: 'version',
    });
  }
  return Number.parseInt(text, 10);
}

/** Rejects an alias MLflow cannot store: empty, too long, or outside `[A-Za-z0-9_-]`. */
export function validateAliasName(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') {
    throw invalidParameter('Registered model alias name cannot be empty.', { field: 'alias' });
  }
  if (!/^[\w-]*$/u.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
      { field: 'alias' },
    );
  }
  if (alias.length > limits.maxAliasLength) {
    throw invalidParameter(
      `Registered model alias name '${alias.slice(0, 40)}...' had length ${alias.length}, which exceeded length limit of ${limits.maxAliasLength}`,
      { field: 'alias', limit: limits.maxAliasLength },
    );
  }
  return alias;
}

/** Rejects an alias that may not be set because it would shadow `latest` or a version (`v3`). */
export function validateNewAliasName(alias: unknown): string {
  const valid = validateAliasName(alias);
  if (valid.toLowerCase() === latestAlias) {
    throw invalidParameter("'latest' alias name (case insensitive) is reserved.", { field: 'alias' });
  }
  if (/^[vV]\d+$/.test(valid)) {
    throw invalidParameter(`Version alias name '${valid}' is reserved.`, { field: 'alias' });
  }
  return valid;
}

/** The canonical spelling of a stage (`production` -> `Production`); INVALID_PARAMETER_VALUE if unknown. */
export function canonicalStage(stage: unknown): string {
  const found = modelVersionStages.find(
    (candidate) => typeof stage === 'string' && candidate.toLowerCase() === stage.toLowerCase(),
  );
  if (found === undefined) {
    throw invalidParameter(
      `Invalid Model Version stage: ${String(stage)}. Value must be one of ${modelVersionStages.join(', ')}.`,
      { field: 'stage' },
    );
  }
  return found;
}

/** Rejects a registered-model or model-version tag MLflow would reject (empty or long key, long value). */
export function validateRegistryTag(tag: { key: unknown; value: unknown }): { key: string; value: string } {
  const key = validateEntityKey('tag', tag.key);
  const value = tag.value;
  if (typeof value !== 'string') {
    throw invalidParameter(`Tag value for key '${key}' must be a string.`, { field: 'value' });
  }
  if (value.length > limits.maxRegisteredModelTagValueLength) {
    throw invalidParameter(
      `Tag value for key '${key}' had length ${value.length}, which exceeded length limit of ${limits.maxRegisteredModelTagValueLength}`,
      { field: 'value', limit: limits.maxRegisteredModelTagValueLength },
    );
  }
  return { key, value };
}
