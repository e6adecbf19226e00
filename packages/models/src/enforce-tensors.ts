import { invalidParameter } from '@cairn/core';
import type { DataFrame, ModelInput, Tensor, TensorDType, TensorMap } from './model-input.js';
import type { TensorSpec } from './signature.js';
import { tensorFromNested } from './to-model-input.js';

/**
 * MLflow's tensor rules (`_enforce_tensor_spec`, `_enforce_tensor_schema`): the shape must match the spec
 * (-1 matches any size) and the dtype must be the spec's. A tensor whose dtype the caller stated (a tagged
 * tensor, a typed array) must match exactly, as a numpy array must; one built from plain JS numbers has no
 * dtype of its own and is cast to the spec's, as MLflow's scoring server parses JSON with the schema.
 */

const shapeText = (shape: readonly number[]) => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

const integerRanges: Partial<Record<TensorDType, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

const typedArrayOf: Partial<Record<TensorDType, (values: unknown[]) => ArrayLike<unknown>>> = {
  float32: (values) => Float32Array.from(values as number[]),
  float64: (values) => Float64Array.from(values as number[]),
  int8: (values) => Int8Array.from(values as number[]),
  int16: (values) => Int16Array.from(values as number[]),
  int32: (values) => Int32Array.from(values as number[]),
  int64: (values) => BigInt64Array.from(values as number[], (value) => BigInt(value)),
  uint8: (values) => Uint8Array.from(values as number[]),
  uint16: (values) => Uint16Array.from(values as number[]),
  uint32: (values) => Uint32Array.from(values as number[]),
  uint64: (values) => BigUint64Array.from(values as number[], (value) => BigInt(value)),
};

/** Casts the values of an untyped tensor to a spec's dtype, refusing values that dtype cannot hold. */
function castUntyped(name: string, tensor: Tensor, dtype: TensorDType): Tensor {
  const values = Array.from(tensor.data);
  const fail = (value: unknown) =>
    invalidParameter(
      `Cannot convert ${name}'s value ${JSON.stringify(value)} to the expected dtype ${dtype}`,
      {
        field: name,
        expected: dtype,
      },
    );
  if (dtype === 'object' || dtype === 'str' || dtype === 'bytes') return { ...tensor, dtype };
  if (dtype === 'bool') {
    const bad = values.find((value) => typeof value !== 'boolean');
    if (bad !== undefined) throw fail(bad);
    return { ...tensor, dtype };
  }
  const bad = values.find((value) => typeof value !== 'number');
  if (bad !== undefined) throw fail(bad);
  const range = integerRanges[dtype];
  if (range !== undefined) {
    const outside = (values as number[]).find(
      (value) => !Number.isInteger(value) || value < range[0] || value > range[1],
    );
    if (outside !== undefined) throw fail(outside);
  }
  const build = typedArrayOf[dtype];
  return { ...tensor, dtype, data: build === undefined ? values : build(values) };
}

/** One tensor against one spec. */
export function enforceTensor(name: string, tensor: Tensor, spec: TensorSpec, typed: boolean): Tensor {
  if (spec.dtype === 'object' && spec.shape.length === 1 && spec.shape[0] === -1) return tensor;
  const mismatch = () =>
    invalidParameter(
      `Shape of input ${shapeText(tensor.shape)} does not match expected shape ${shapeText(spec.shape)}${name ? ` for ${name}` : ''}.`,
      { field: name || 'inputs', expected: spec.shape },
    );
  if (tensor.shape.length !== spec.shape.length) throw mismatch();
  spec.shape.forEach((size, index) => {
    if (size !== -1 && size !== tensor.shape[index]) throw mismatch();
  });
  const stated = typed || ArrayBuffer.isView(tensor.data);
  if (tensor.dtype === spec.dtype && stated) return tensor;
  if (stated) {
    throw invalidParameter(
      `dtype of input ${tensor.dtype} does not match expected dtype ${spec.dtype}${name ? ` for ${name}` : ''}`,
      { field: name || 'inputs', expected: spec.dtype },
    );
  }
  return castUntyped(name || 'the input', tensor, spec.dtype);
}

/** A DataFrame column as a tensor (MLflow's `_reshape_and_cast_pandas_column_values`). */
function columnTensor(name: string, values: readonly unknown[], spec: TensorSpec): Tensor {
  if (spec.shape[0] !== -1 || spec.shape.slice(1).includes(-1)) {
    throw invalidParameter(
      `For DataFrame input, the first dimension of shape must be a variable dimension and other dimensions must be fixed, but in the model signature the shape of ${name || 'the unnamed input'} is ${shapeText(spec.shape)}.`,
      { field: name || 'inputs' },
    );
  }
  const [first] = values;
  if (!Array.isArray(first) && !ArrayBuffer.isView(first)) {
    if (spec.shape.length === 1 || (spec.shape.length === 2 && spec.shape[1] === 1)) {
      return enforceTensor(
        name,
        {
          kind: 'tensor',
          dtype: 'object',
          shape: [...spec.shape].map((size) => (size === -1 ? values.length : size)),
          data: [...values],
        },
        spec,
        false,
      );
    }
    throw invalidParameter(
      `The input DataFrame column '${name}' holds scalar values, which requires the shape to be (-1,) or (-1, 1), but the tensor spec's shape is ${shapeText(spec.shape)}.`,
      { field: name || 'inputs' },
    );
  }
  const rows = values.map((value) => Array.from(value as ArrayLike<unknown>));
  const data = rows.flat(Number.POSITIVE_INFINITY);
  const rowSize = spec.shape.slice(1).reduce((product, size) => product * size, 1);
  if (data.length !== rowSize * rows.length) {
    throw invalidParameter(
      `The values in the input DataFrame column '${name}' cannot be reshaped to the expected shape ${shapeText(spec.shape)}`,
      { field: name || 'inputs', expected: spec.shape },
    );
  }
  return enforceTensor(
    name,
    { kind: 'tensor', dtype: 'object', shape: [rows.length, ...spec.shape.slice(1)], data },
    spec,
    false,
  );
}

const columnValues = (frame: DataFrame, column: number) => frame.rows.map((row) => row[column]);

/** An input against a tensor-based schema: named tensors, or a single unnamed one. */
export function enforceTensorSchema(
  input: ModelInput,
  specs: readonly TensorSpec[],
  typed: boolean,
): Tensor | TensorMap {
  const named = specs.every((spec) => spec.name !== undefined);
  if (named) {
    const tensors: Record<string, Tensor> = {};
    const source = (specName: string): (() => Tensor) | undefined => {
      if (input.kind === 'tensors') {
        const tensor = input.tensors[specName];
        return tensor === undefined ? undefined : () => tensor;
      }
      if (input.kind === 'dataframe') {
        const index = input.columns.indexOf(specName);
        return index < 0
          ? undefined
          : () =>
              columnTensor(
                specName,
                columnValues(input, index),
                specs.find((spec) => spec.name === specName) as TensorSpec,
              );
      }
      if (
        input.kind === 'json' &&
        typeof input.value === 'object' &&
        input.value !== null &&
        !Array.isArray(input.value)
      ) {
        const value = (input.value as Record<string, unknown>)[specName];
        if (value === undefined) return undefined;
        return () => {
          const tensor = Array.isArray(value) ? tensorFromNested(value) : undefined;
          if (tensor === undefined) {
            throw invalidParameter(
              `Input ${specName} must be a (nested) list of numbers or booleans for its tensor spec`,
              {
                field: specName,
              },
            );
          }
          return tensor;
        };
      }
      throw invalidParameter(
        'This model has a tensor-based signature with input names, which takes named tensors (an object of name to tensor) or a DataFrame of those columns',
        { field: 'inputs' },
      );
    };
    const missing = specs
      .filter((spec) => source(spec.name as string) === undefined)
      .map((spec) => spec.name);
    if (missing.length > 0) {
      throw invalidParameter(`Model is missing inputs ${JSON.stringify(missing)}.`, {
        field: 'inputs',
        missing,
      });
    }
    for (const spec of specs) {
      const name = spec.name as string;
      const tensor = (source(name) as () => Tensor)();
      tensors[name] = enforceTensor(name, tensor, spec, typed && input.kind === 'tensors');
    }
    return { kind: 'tensors', tensors };
  }
  const [spec] = specs as [TensorSpec];
  switch (input.kind) {
    case 'tensor':
      return enforceTensor('', input, spec, typed);
    case 'dataframe': {
      if (input.rows.length === 0) throw invalidParameter('Input DataFrame is empty.', { field: 'inputs' });
      if (input.columns.length === 1)
        return columnTensor(input.columns[0] as string, columnValues(input, 0), spec);
      if (spec.shape.length !== 2 || spec.shape[0] !== -1 || spec.shape[1] !== input.columns.length) {
        throw invalidParameter(
          `This model has a signature with an unnamed input; a DataFrame of ${input.columns.length} columns needs the shape (-1, ${input.columns.length}), but the signature's shape is ${shapeText(spec.shape)}.`,
          { field: 'inputs', expected: spec.shape },
        );
      }
      return enforceTensor(
        '',
        {
          kind: 'tensor',
          dtype: 'object',
          shape: [input.rows.length, input.columns.length],
          data: input.rows.flat(),
        },
        spec,
        false,
      );
    }
    case 'json': {
      const tensor = Array.isArray(input.value) ? tensorFromNested(input.value) : undefined;
      if (tensor !== undefined) return enforceTensor('', tensor, spec, false);
      break;
    }
  }
  throw invalidParameter(
    `This model has a tensor-based signature with no input names, which takes a tensor (nested lists of numbers, a typed array) or a DataFrame; got ${input.kind === 'json' ? 'a JSON value' : input.kind}`,
    { field: 'inputs' },
  );
}
