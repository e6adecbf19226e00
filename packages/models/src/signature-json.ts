import { invalidParameter } from '@cairn/core';
import type { ColumnType, TensorDType } from './model-input.js';
import type { ColSpec, ModelSignature, ParamSpec, Schema, TensorSpec } from './signature.js';

/** MLflow's base column types. */
export const columnTypes: readonly ColumnType[] = [
  'boolean',
  'integer',
  'long',
  'float',
  'double',
  'string',
  'binary',
  'datetime',
];

/** The numpy dtype names a TensorSpec may carry. */
export const tensorDTypes: readonly TensorDType[] = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'str',
  'bytes',
  'object',
];

/** Where a signature was read from, named in errors (`MLmodel`, the key). */
interface SignatureSource {
  readonly file: string;
  readonly field: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (source: SignatureSource, problem: string) =>
  invalidParameter(`Invalid ${source.field} in ${source.file}: ${problem}`, {
    file: source.file,
    field: source.field,
  });

function parseJsonArray(text: unknown, source: SignatureSource): unknown[] {
  if (typeof text !== 'string') throw fail(source, `expected a JSON string, got ${describe(text)}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(source, `not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw fail(source, `expected a JSON list, got ${describe(value)}`);
  return value;
}

/** How a value is named in an error: its JSON type. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function parseColumnType(entry: Record<string, unknown>, source: SignatureSource): ColSpec['type'] {
  const { type } = entry;
  if (typeof type !== 'string') throw fail(source, `a column has no type (${JSON.stringify(entry)})`);
  if ((columnTypes as readonly string[]).includes(type)) return type as ColumnType;
  if (type === 'array' || type === 'object' || type === 'map' || type === 'any') {
    // The composite types keep MLflow's JSON dict as it is (items, properties, values), without name/required.
    const { name: _name, required: _required, ...composite } = entry;
    return composite;
  }
  throw fail(source, `unknown column type '${type}'`);
}

/** Parses a schema as MLflow writes it: a JSON list of ColSpec or TensorSpec dicts. */
export function parseSchemaJson(text: unknown, source: SignatureSource): Schema {
  const entries = parseJsonArray(text, source);
  const isTensor = (entry: unknown) => isRecord(entry) && entry.type === 'tensor';
  if (entries.length > 0 && entries.every(isTensor)) {
    const tensors = entries.map((entry): TensorSpec => {
      const spec = (entry as Record<string, unknown>)['tensor-spec'];
      if (!isRecord(spec)) throw fail(source, 'a tensor has no tensor-spec');
      const { dtype, shape } = spec;
      if (typeof dtype !== 'string' || !(tensorDTypes as readonly string[]).includes(dtype)) {
        throw fail(source, `unknown tensor dtype ${JSON.stringify(dtype)}`);
      }
      if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= -1)) {
        throw fail(
          source,
          `a tensor shape must be a list of sizes (-1 for any), got ${JSON.stringify(shape)}`,
        );
      }
      const name = (entry as Record<string, unknown>).name;
      return {
        dtype: dtype as TensorDType,
        shape: shape as number[],
        ...(name === undefined || name === null ? {} : { name: String(name) }),
      };
    });
    return { kind: 'tensors', tensors };
  }
  if (entries.some(isTensor)) throw fail(source, 'a schema mixes columns and tensors');
  const columns = entries.map((entry): ColSpec => {
    if (!isRecord(entry)) throw fail(source, `a column must be an object, got ${describe(entry)}`);
    const type = parseColumnType(entry, source);
    const { name, required } = entry;
    if (required !== undefined && typeof required !== 'boolean') {
      throw fail(source, `required must be a boolean, got ${describe(required)}`);
    }
    // MLflow writes the positional names of an inferred output as numbers (`"name": 0`).
    return {
      type,
      required: required ?? true,
      ...(name === undefined || name === null ? {} : { name: String(name) }),
    };
  });
  return { kind: 'columns', columns };
}

/** Parses a ParamSchema as MLflow writes it: a JSON list of `{name, type, default, shape}`. */
export function parseParamsJson(text: unknown, source: SignatureSource): ParamSpec[] {
  return parseJsonArray(text, source).map((entry) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') {
      throw fail(source, `a param needs a name, got ${JSON.stringify(entry)}`);
    }
    const { name, type, shape } = entry;
    if (typeof type !== 'string' || !(columnTypes as readonly string[]).includes(type)) {
      throw fail(source, `param '${name}' has unknown type ${JSON.stringify(type)}`);
    }
    if (shape !== null && shape !== undefined && !(Array.isArray(shape) && shape.every(Number.isInteger))) {
      throw fail(source, `param '${name}' has shape ${JSON.stringify(shape)}; expected null or [-1]`);
    }
    return {
      name,
      type: type as ColumnType,
      default: entry.default ?? null,
      shape: (shape ?? null) as number[] | null,
    };
  });
}

/** Reads MLflow's `signature` mapping (JSON strings under `inputs`, `outputs`, `params`). */
export function parseSignature(value: unknown, file: string): ModelSignature {
  if (!isRecord(value)) {
    throw invalidParameter(`Invalid signature in ${file}: expected a mapping, got ${describe(value)}`, {
      file,
      field: 'signature',
    });
  }
  const read = <T>(key: string, parse: (text: unknown, source: SignatureSource) => T) => {
    const text = value[key];
    return text === undefined || text === null
      ? {}
      : { [key]: parse(text, { file, field: `signature.${key}` }) };
  };
  return {
    ...read('inputs', parseSchemaJson),
    ...read('outputs', parseSchemaJson),
    ...read('params', parseParamsJson),
  } as ModelSignature;
}

/** A schema as the JSON list MLflow writes. */
export function schemaToJson(schema: Schema): unknown[] {
  if (schema.kind === 'tensors') {
    return schema.tensors.map((tensor) => ({
      type: 'tensor',
      'tensor-spec': { dtype: tensor.dtype, shape: [...tensor.shape] },
      ...(tensor.name === undefined ? {} : { name: tensor.name }),
    }));
  }
  return schema.columns.map((column) => ({
    ...(typeof column.type === 'string' ? { type: column.type } : column.type),
    ...(column.name === undefined ? {} : { name: column.name }),
    required: column.required,
  }));
}

/** A ParamSchema as the JSON list MLflow writes. */
export function paramsToJson(params: readonly ParamSpec[]): unknown[] {
  return params.map((param) => ({
    name: param.name,
    default: param.default,
    shape: param.shape === null ? null : [...param.shape],
    type: param.type,
  }));
}

/** Python's `json.dumps` spacing (`", "` and `": "`), so a file Cairn writes reads like one MLflow wrote. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The signature mapping MLflow writes into an MLmodel: each part a JSON string, absent parts null. */
export function signatureToMLmodel(signature: ModelSignature): Record<string, string | null> {
  return {
    inputs: signature.inputs ? pythonJson(schemaToJson(signature.inputs)) : null,
    outputs: signature.outputs ? pythonJson(schemaToJson(signature.outputs)) : null,
    params: signature.params ? pythonJson(paramsToJson(signature.params)) : null,
  };
}
