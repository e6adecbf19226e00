import { invalidParameter } from '@cairn/core';
import type { DataFrame, JsonInput, ModelInput, Tensor, TensorDType, TensorMap } from './model-input.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof Date);

/** The numpy dtype of each typed array. */
const typedArrayDTypes: ReadonlyArray<readonly [new (...args: never[]) => ArrayBufferView, TensorDType]> = [
  [Float64Array, 'float64'],
  [Float32Array, 'float32'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'],
  [Uint8ClampedArray, 'uint8'],
  [Uint16Array, 'uint16'],
  [Uint32Array, 'uint32'],
  [BigUint64Array, 'uint64'],
];

/** The dtype of a typed array, or undefined for anything else. */
export function typedArrayDType(value: unknown): TensorDType | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  return typedArrayDTypes.find(([type]) => value instanceof type)?.[1];
}

/** True when `value` is already one of the tagged inputs (checked by shape, not only by `kind`). */
export function isModelInput(value: unknown): value is ModelInput {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'dataframe':
      return Array.isArray(value.columns) && Array.isArray(value.rows);
    case 'tensor':
      return typeof value.dtype === 'string' && Array.isArray(value.shape) && value.data !== undefined;
    case 'tensors':
      return isRecord(value.tensors);
    case 'json':
      return 'value' in value;
    default:
      return false;
  }
}

/** The shape of a rectangular nested array of numbers (or booleans), or undefined when it is not one. */
function nestedShape(value: unknown[], leaf: (item: unknown) => boolean): number[] | undefined {
  if (value.length === 0) return undefined;
  if (value.every(leaf)) return [value.length];
  if (!value.every(Array.isArray)) return undefined;
  const shapes = (value as unknown[][]).map((item) => nestedShape(item, leaf));
  const [first] = shapes;
  if (first === undefined || shapes.some((shape) => shape?.join() !== first.join())) return undefined;
  return [value.length, ...first];
}

/** A tensor from nested number arrays: int64 when every number is whole, float64 otherwise (numpy's choice). */
export function tensorFromNested(value: unknown[]): Tensor | undefined {
  const isNumber = (item: unknown) => typeof item === 'number';
  const numbers = nestedShape(value, isNumber);
  if (numbers !== undefined) {
    const data = value.flat(Number.POSITIVE_INFINITY) as number[];
    const dtype = data.every(Number.isInteger) ? 'int64' : 'float64';
    return { kind: 'tensor', dtype, shape: numbers, data };
  }
  const booleans = nestedShape(value, (item) => typeof item === 'boolean');
  if (booleans !== undefined) {
    return { kind: 'tensor', dtype: 'bool', shape: booleans, data: value.flat(Number.POSITIVE_INFINITY) };
  }
  return undefined;
}

/** A tensor as nested arrays, as MLflow writes an ndarray to JSON (bigints as numbers). */
export function tensorToNested(tensor: Tensor): unknown {
  const data = Array.from(tensor.data as ArrayLike<unknown>, (item) =>
    typeof item === 'bigint' ? Number(item) : item,
  );
  if (tensor.shape.length === 0) return data[0];
  const build = (offset: number, depth: number): unknown[] => {
    const size = tensor.shape[depth] as number;
    const stride = tensor.shape.slice(depth + 1).reduce((product, dim) => product * dim, 1);
    return Array.from({ length: size }, (_, index) =>
      depth === tensor.shape.length - 1 ? data[offset + index] : build(offset + index * stride, depth + 1),
    );
  };
  return build(0, 0);
}

/** A DataFrame from records: columns in the order keys first appear, a missing key as null. */
export function dataFrameFromRecords(records: readonly Record<string, unknown>[]): DataFrame {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return {
    kind: 'dataframe',
    columns,
    rows: records.map((record) => columns.map((column) => (column in record ? record[column] : null))),
  };
}

/** A DataFrame as records (pandas' `records` orient). */
export function dataFrameToRecords(frame: DataFrame): Record<string, unknown>[] {
  return frame.rows.map((row) =>
    Object.fromEntries(frame.columns.map((column, index) => [column, row[index]])),
  );
}

/**
 * Turns a plain JavaScript value into a tagged {@link ModelInput}, as MLflow's pyfunc reads a request:
 * - a tagged input is taken as it is;
 * - an array of plain objects (records) is a DataFrame, columns in the order keys first appear;
 * - an object whose values are equally long arrays of scalars is a DataFrame of those columns;
 * - a typed array is a 1-d tensor of its dtype; rectangular nested arrays of numbers (or booleans) a tensor,
 *   int64 when every number is whole, else float64;
 * - an object whose values are all typed arrays or tensors is named tensors;
 * - anything else (strings, a list of strings, a chat request...) is JSON, given to the model as it is.
 */
export function toModelInput(value: unknown): ModelInput {
  if (value === undefined) {
    throw invalidParameter('The model input is undefined: give records, columns, a tensor or a JSON value', {
      field: 'inputs',
    });
  }
  if (isModelInput(value)) return value;
  const dtype = typedArrayDType(value);
  if (dtype !== undefined) {
    const array = value as unknown as ArrayLike<unknown>;
    return { kind: 'tensor', dtype, shape: [array.length], data: array };
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) return dataFrameFromRecords(value);
    const tensor = tensorFromNested(value);
    if (tensor !== undefined) return tensor;
    return { kind: 'json', value } satisfies JsonInput;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (
      entries.length > 0 &&
      entries.every(([, item]) => typedArrayDType(item) !== undefined || isTensor(item))
    ) {
      const tensors = Object.fromEntries(
        entries.map(([name, item]) => [name, isTensor(item) ? item : (toModelInput(item) as Tensor)]),
      );
      return { kind: 'tensors', tensors } satisfies TensorMap;
    }
    const lengths = entries.map(([, item]) => (Array.isArray(item) ? item.length : -1));
    const first = lengths[0];
    if (
      entries.length > 0 &&
      first !== undefined &&
      first >= 0 &&
      lengths.every((length) => length === first) &&
      entries.every(([, item]) =>
        (item as unknown[]).every((cell) => !Array.isArray(cell) && !isRecord(cell)),
      )
    ) {
      return {
        kind: 'dataframe',
        columns: entries.map(([name]) => name),
        rows: Array.from({ length: first }, (_, row) => entries.map(([, item]) => (item as unknown[])[row])),
      };
    }
  }
  return { kind: 'json', value };
}

/**
 * An example (or an output) as MLflow reads a Python value of the same shape: like {@link toModelInput},
 * except that a plain array that is not records stays JSON — a Python list, not a numpy array — so its
 * signature is column-based; typed arrays and tagged tensors are the tensors.
 */
export function toExampleInput(value: unknown): ModelInput {
  if (Array.isArray(value) && !(value.length > 0 && value.every(isRecord))) return { kind: 'json', value };
  return toModelInput(value);
}

const isTensor = (value: unknown): value is Tensor => isModelInput(value) && value.kind === 'tensor';
