import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { doesNotExist, invalidParameter } from '@cairn/core';
import { type DocumentOptions, type ParseOptions, parse, type SchemaOptions, stringify } from 'yaml';
import type { MLmodel } from './mlmodel.js';
import { describe, parseSignature, signatureToMLmodel } from './signature-json.js';

/** The file name of a model's metadata, in every MLflow model directory. */
export const mlmodelFileName = 'MLmodel';

/**
 * MLmodel files are written by PyYAML, which speaks YAML 1.1 (`yes`/`on` are booleans); timestamps stay
 * strings so `utc_time_created` keeps its microseconds.
 */
const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) =>
    tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The MLmodel keys Cairn reads into fields, snake_case to camelCase. */
const stringKeys = {
  artifact_path: 'artifactPath',
  model_uuid: 'modelUuid',
  model_id: 'modelId',
  run_id: 'runId',
  utc_time_created: 'utcTimeCreated',
  mlflow_version: 'mlflowVersion',
  cairn_version: 'cairnVersion',
} as const;
const mappingKeys = { saved_input_example_info: 'savedInputExampleInfo', metadata: 'metadata' } as const;
const knownKeys = new Set([
  ...Object.keys(stringKeys),
  ...Object.keys(mappingKeys),
  'flavors',
  'signature',
  'model_size_bytes',
]);

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, as MLflow writes `utc_time_created`. */
export function formatUtcTimeCreated(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)}000`;
}

/**
 * Parses the text of an MLmodel file. Keys Cairn does not know land in `extra`; null values (MLflow writes
 * `model_id: null`) read as absent. Unparseable YAML, a missing or malformed `flavors` and a key of the wrong
 * type fail with INVALID_PARAMETER_VALUE naming `file` and the key.
 */
export function parseMLmodel(text: string, file: string = mlmodelFileName): MLmodel {
  let document: unknown;
  try {
    document = parse(text, yamlOptions);
  } catch (error) {
    throw invalidParameter(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      file,
    });
  }
  if (!isRecord(document)) {
    throw invalidParameter(`${file} must be a YAML mapping, got ${describe(document ?? null)}`, { file });
  }
  const wrongType = (key: string, expected: string) =>
    invalidParameter(`Invalid ${key} in ${file}: expected ${expected}, got ${describe(document[key])}`, {
      file,
      field: key,
    });

  const { flavors } = document;
  if (flavors === undefined || flavors === null) {
    throw invalidParameter(`${file} has no 'flavors': it does not describe a model`, {
      file,
      field: 'flavors',
    });
  }
  if (!isRecord(flavors)) throw wrongType('flavors', 'a mapping of flavor names to their configuration');
  for (const [name, config] of Object.entries(flavors)) {
    if (!isRecord(config)) {
      throw invalidParameter(
        `Invalid flavors.${name} in ${file}: expected a mapping, got ${describe(config ?? null)}`,
        { file, field: `flavors.${name}` },
      );
    }
  }

  const result: Record<string, unknown> = { flavors };
  for (const [key, field] of Object.entries(stringKeys)) {
    const value = document[key];
    if (value === undefined || value === null) continue;
    // PyYAML reads an unquoted version such as 2.10 as a number; MLflow's own files quote what needs it.
    if (typeof value !== 'string' && typeof value !== 'number') throw wrongType(key, 'a string');
    result[field] = String(value);
  }
  for (const [key, field] of Object.entries(mappingKeys)) {
    const value = document[key];
    if (value === undefined || value === null) continue;
    if (!isRecord(value)) throw wrongType(key, 'a mapping');
    result[field] = value;
  }
  const size = document.model_size_bytes;
  if (size !== undefined && size !== null) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw wrongType('model_size_bytes', 'a whole number of bytes');
    }
    result.modelSizeBytes = size;
  }
  if (document.signature !== undefined && document.signature !== null) {
    result.signature = parseSignature(document.signature, file);
  }
  const extra = Object.fromEntries(Object.entries(document).filter(([key]) => !knownKeys.has(key)));
  if (Object.keys(extra).length > 0) result.extra = extra;
  return result as unknown as MLmodel;
}

/**
 * The text of an MLmodel file: MLflow's snake_case keys, sorted as PyYAML sorts them, the signature's parts
 * as JSON strings, `extra` written back as it was read. Strings YAML 1.1 would read as something else are
 * quoted, so MLflow's Python reads every value back with its type.
 */
export function stringifyMLmodel(mlmodel: MLmodel): string {
  const document: Record<string, unknown> = { ...(mlmodel.extra ?? {}) };
  for (const [key, field] of Object.entries(stringKeys)) {
    const value = mlmodel[field];
    if (value !== undefined) document[key] = value;
  }
  for (const [key, field] of Object.entries(mappingKeys)) {
    const value = mlmodel[field];
    if (value !== undefined) document[key] = value;
  }
  document.flavors = mlmodel.flavors;
  if (mlmodel.modelSizeBytes !== undefined) document.model_size_bytes = mlmodel.modelSizeBytes;
  if (mlmodel.signature !== undefined) document.signature = signatureToMLmodel(mlmodel.signature);
  const sorted = Object.fromEntries(
    Object.entries(document).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return stringify(sorted, { version: '1.1', sortMapEntries: true, lineWidth: 0 });
}

/** The MLmodel file of a model directory (or the file itself when `path` names it). */
async function mlmodelPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw doesNotExist(`No model at '${path}': the path does not exist`, { path });
  }
  return info.isDirectory() ? join(path, mlmodelFileName) : path;
}

/** Reads a model directory's MLmodel; RESOURCE_DOES_NOT_EXIST naming the directory when it has none. */
export async function readMLmodel(path: string): Promise<MLmodel> {
  const file = await mlmodelPath(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw doesNotExist(`Could not find an MLmodel configuration file at '${path}'`, { path: file });
    }
    throw error;
  }
  return parseMLmodel(text, file);
}

/** Writes `dir/MLmodel` whole: to a temporary file first, then renamed, so a reader never sees half of it. */
export async function writeMLmodel(dir: string, mlmodel: MLmodel): Promise<void> {
  const target = join(dir, mlmodelFileName);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, stringifyMLmodel(mlmodel), 'utf8');
  await rename(temporary, target);
}
