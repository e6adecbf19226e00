import { CairnError } from '@cairn/core';
import type { DataFrame, Tensor, TensorDType, TensorMap } from '@cairn/models';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import type { ZipMapOutput } from './onnx-model-proto.js';

/** One output of a run, in the model's terms (a ZipMap output as its maps). */
interface OutputValue {
  readonly name: string;
  readonly tensor: Tensor;
}

const dtypes: Partial<Record<OrtTensor.Type, TensorDType>> = {
  float32: 'float32',
  float64: 'float64',
  float16: 'float16',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  uint64: 'uint64',
  bool: 'bool',
  string: 'str',
};

/** 64-bit integers become numbers (JSON has no bigint); one beyond 2^53 stays a bigint rather than lose digits. */
function plainValues(tensor: OrtTensor): ArrayLike<unknown> {
  const data = tensor.data as ArrayLike<unknown>;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Array.from(data, (value) =>
      value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value,
    );
  }
  if (tensor.type === 'bool') return Array.from(data as Uint8Array, (value) => value !== 0);
  return data;
}

function zipMapValue(tensor: OrtTensor, zipMap: ZipMapOutput): Tensor {
  const [rows = 0, columns = 0] = tensor.dims;
  if (tensor.dims.length !== 2 || columns !== zipMap.labels.length) {
    throw new CairnError(
      'INTERNAL_ERROR',
      `the ZipMap output '${zipMap.output}' read a tensor of shape [${tensor.dims.join(', ')}] for ${zipMap.labels.length} class labels`,
    );
  }
  const data = tensor.data as Float32Array;
  const maps: Record<string, number>[] = [];
  for (let row = 0; row < rows; row++) {
    const map: Record<string, number> = {};
    zipMap.labels.forEach((label, column) => {
      map[String(label)] = data[row * columns + column] as number;
    });
    maps.push(map);
  }
  return { kind: 'tensor', dtype: 'object', shape: [rows], data: maps };
}

/** The run's outputs in the model's order, with ZipMap outputs rebuilt as one map per row. */
export function outputValues(
  results: Readonly<Record<string, OrtTensor>>,
  outputNames: readonly string[],
  zipMaps: ReadonlyMap<string, ZipMapOutput>,
): OutputValue[] {
  return outputNames.map((name) => {
    const zipMap = zipMaps.get(name);
    const result = results[zipMap?.tensor ?? name] as OrtTensor;
    if (zipMap !== undefined) return { name, tensor: zipMapValue(result, zipMap) };
    const dtype = dtypes[result.type] ?? 'object';
    return { name, tensor: { kind: 'tensor', dtype, shape: [...result.dims], data: plainValues(result) } };
  });
}

/** Named tensors, what MLflow answers for a dict or ndarray input. */
export function asTensorMap(values: readonly OutputValue[]): TensorMap {
  return { kind: 'tensors', tensors: Object.fromEntries(values.map((value) => [value.name, value.tensor])) };
}

/**
 * A DataFrame with one column per output, what MLflow answers for a DataFrame input: each output flattened
 * (a [n, 1] regression output becomes n values). Outputs of different flattened lengths (a [n, k]
 * probability tensor next to n labels), which pandas refuses, give each row its slice instead.
 */
export function asDataFrame(values: readonly OutputValue[]): DataFrame {
  const lengths = new Set(values.map((value) => value.tensor.data.length));
  const columns = values.map((value) => value.name);
  if (lengths.size <= 1) {
    const rows = [...lengths][0] ?? 0;
    return {
      kind: 'dataframe',
      columns,
      rows: Array.from({ length: rows }, (_, row) => values.map((value) => value.tensor.data[row])),
    };
  }
  const leading = new Set(values.map((value) => value.tensor.shape[0]));
  const rows = [...leading][0];
  if (leading.size !== 1 || rows === undefined) {
    const shapes = values.map((value) => `'${value.name}' [${value.tensor.shape.join(', ')}]`).join(', ');
    throw new CairnError('INTERNAL_ERROR', `the model's outputs do not make one table: ${shapes}`);
  }
  const slices = values.map((value) => {
    const width = value.tensor.data.length / rows;
    return Array.from({ length: rows }, (_, row) =>
      width === 1
        ? value.tensor.data[row]
        : Array.from({ length: width }, (_, i) => value.tensor.data[row * width + i]),
    );
  });
  return {
    kind: 'dataframe',
    columns,
    rows: Array.from({ length: rows }, (_, row) => slices.map((slice) => slice[row])),
  };
}
