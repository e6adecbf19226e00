import { invalidParameter } from '../errors.js';

/** What a `models:/` URI points at. */
export type ModelUri =
  | { kind: 'version'; name: string; version: string; subpath: string }
  | { kind: 'alias'; name: string; alias: string; subpath: string }
  | { kind: 'stage'; name: string; stage: string; subpath: string }
  | { kind: 'latest'; name: string; subpath: string }
  | { kind: 'logged-model'; modelId: string; subpath: string };

/**
 * Parses MLflow's model URIs: `models:/<name>/<version>`, `models:/<name>/<stage>`, `models:/<name>/latest`,
 * `models:/<name>@<alias>` and MLflow 3's `models:/<model_id>`, each optionally followed by `/<subpath>`
 * (for the last two, only after the first segment). INVALID_PARAMETER_VALUE names `model_uri` otherwise.
 */
export function parseModelUri(uri: string): ModelUri {
  const bad = (why: string) =>
    invalidParameter(
      `Not a proper models:/ URI: ${uri}. ${why} Models URIs must be of the form 'models:/model_name/suffix' or 'models:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can be defined at a time.`,
      { field: 'model_uri' },
    );
  if (!uri.startsWith('models:/')) throw bad('It does not start with models:/.');
  const rest = uri.slice('models:/'.length);
  // `models://profile/...` names another registry (a Databricks profile), which Cairn does not reach.
  if (rest.startsWith('/')) throw bad('A models:/ URI with an authority names another registry.');
  const parts = rest.split('/').filter((part) => part !== '');
  const first = parts[0];
  if (first === undefined) throw bad('It names no model.');
  const at = first.indexOf('@');
  if (at >= 0) {
    const name = first.slice(0, at);
    const alias = first.slice(at + 1);
    if (name === '' || alias === '') throw bad('The name and the alias must both be given.');
    return { kind: 'alias', name, alias, subpath: parts.slice(1).join('/') };
  }
  const second = parts[1];
  if (second === undefined) return { kind: 'logged-model', modelId: first, subpath: '' };
  const subpath = parts.slice(2).join('/');
  if (/^\d+$/u.test(second)) return { kind: 'version', name: first, version: second, subpath };
  if (second.toLowerCase() === 'latest') return { kind: 'latest', name: first, subpath };
  return { kind: 'stage', name: first, stage: second, subpath };
}
