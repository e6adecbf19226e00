import { columnDType } from './enforce-values.js';
import type { ColumnType, ModelInput, PredictParams } from './model-input.js';
import type { ColSpec, ModelSignature, ParamSpec, Schema } from './signature.js';
import { toExampleInput } from './to-model-input.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof Date);

const isMissing = (value: unknown) => value === null || value === undefined;

/** The MLflow type of one value: long for whole numbers, double for others, arrays and objects as MLflow's dicts. */
function valueType(value: unknown): ColSpec['type'] | undefined {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (typeof value === 'string') return 'string';
  if (value instanceof Uint8Array) return 'binary';
  if (value instanceof Date) return 'datetime';
  if (Array.isArray(value)) return { type: 'array', items: nested(columnType(value)) };
  if (isRecord(value)) {
    return {
      type: 'object',
      properties: Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          { ...nested(valueType(item)), required: !isMissing(item) },
        ]),
      ),
    };
  }
  return undefined;
}

/** A type nested in an array or object: `{"type": "long"}` rather than `"long"`. */
const nested = (type: ColSpec['type'] | undefined): Record<string, unknown> =>
  type === undefined ? { type: 'any' } : typeof type === 'string' ? { type } : { ...type };

/** The type of a column of values: a base type when they agree (whole and fractional numbers make double). */
function columnType(values: readonly unknown[]): ColSpec['type'] | undefined {
  const present = values.filter((value) => !isMissing(value));
  if (present.length === 0) return undefined;
  if (present.every((value) => typeof value === 'number' || typeof value === 'bigint')) {
    return columnDType(present) === 'int64' ? 'long' : 'double';
  }
  const types = present.map(valueType);
  const [first] = types;
  const same = types.every((type) => JSON.stringify(type) === JSON.stringify(first));
  return same ? first : { type: 'any' };
}

function columnSpec(name: string | undefined, values: readonly unknown[]): ColSpec {
  const type = columnType(values) ?? { type: 'any' };
  return {
    type,
    required: values.every((value) => !isMissing(value)),
    ...(name === undefined ? {} : { name }),
  };
}

/** The schema of a model input or output, as MLflow's `_infer_schema` would give for the same data. */
export function inferSchema(value: unknown): Schema | undefined {
  const input: ModelInput = toExampleInput(value);
  switch (input.kind) {
    case 'dataframe':
      return {
        kind: 'columns',
        columns: input.columns.map((name, index) =>
          columnSpec(
            name,
            input.rows.map((row) => row[index]),
          ),
        ),
      };
    case 'tensor':
      return { kind: 'tensors', tensors: [{ dtype: input.dtype, shape: [-1, ...input.shape.slice(1)] }] };
    case 'tensors':
      return {
        kind: 'tensors',
        tensors: Object.entries(input.tensors).map(([name, tensor]) => ({
          name,
          dtype: tensor.dtype,
          shape: [-1, ...tensor.shape.slice(1)],
        })),
      };
    case 'json': {
      const json = input.value;
      if (Array.isArray(json)) {
        if (json.length === 0) return undefined;
        // A list of scalars or of lists is one unnamed column (a list of prompts, of token lists).
        return { kind: 'columns', columns: [columnSpec(undefined, json)] };
      }
      if (isRecord(json)) {
        return {
          kind: 'columns',
          columns: Object.entries(json).map(([name, item]) => columnSpec(name, [item])),
        };
      }
      if (json === null || json === undefined) return undefined;
      return { kind: 'columns', columns: [columnSpec(undefined, [json])] };
    }
  }
}

/** Param specs from example params: each value's type, a list as shape [-1], the value as the default. */
export function inferParams(params: PredictParams): ParamSpec[] {
  return Object.entries(params).map(([name, value]) => {
    const list = Array.isArray(value);
    const type = columnType(list ? value : [value]);
    return {
      name,
      type: (typeof type === 'string' ? type : 'string') as ColumnType,
      default: value instanceof Date ? value.toISOString() : value,
      shape: list ? [-1] : null,
    };
  });
}

/**
 * A signature from an input example (and its params, and an output when one is known), as MLflow's
 * `infer_signature`: column-based for records, tables, objects and JSON lists, with MLflow's type names
 * (long for whole numbers, double for others, string, boolean, binary, datetime, array/object dicts), and
 * tensor-based for tensors and typed arrays with numpy dtype names and a -1 batch dimension.
 */
export function inferSignature(input: unknown, output?: unknown, params?: PredictParams): ModelSignature {
  const inputs = inferSchema(input);
  const outputs = output === undefined ? undefined : inferSchema(output);
  const paramSpecs =
    params === undefined || Object.keys(params).length === 0 ? undefined : inferParams(params);
  return {
    ...(inputs === undefined ? {} : { inputs }),
    ...(outputs === undefined ? {} : { outputs }),
    ...(paramSpecs === undefined ? {} : { params: paramSpecs }),
  };
}
