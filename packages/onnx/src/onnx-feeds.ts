import { CairnError } from '@cairn/core';
import type { ModelInput, Tensor } from '@cairn/models';
import type { Tensor as OrtTensor, TypedTensor } from 'onnxruntime-node';
import type { OnnxRuntime } from './onnx-runtime.js';

/** A model input as the session describes it: name, ONNX element type, declared shape. */
export interface OnnxInputInfo {
  readonly name: string;
  readonly type: OrtTensor.Type;
  /** Declared dimensions; a symbolic or unknown one is a string. */
  readonly shape: readonly (number | string)[];
}

/** A value to feed: flat, row-major, with its shape; cast to the input's type by {@link toOrtTensor}. */
interface FeedValue {
  readonly values: ArrayLike<unknown>;
  readonly shape: readonly number[];
  /** Where the value came from, for errors (`column 'x'`, `tensor 'X'`). */
  readonly source: string;
}

function bad(message: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message);
}

const integerRanges: Partial<Record<OrtTensor.Type, readonly [bigint, bigint]>> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function toNumber(value: unknown, input: OnnxInputInfo, feed: FeedValue, index: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (value === null) return Number.NaN;
  throw bad(
    `${feed.source} value ${JSON.stringify(value)} at index ${index} is not a number, and input '${input.name}' takes ${input.type}`,
  );
}

function toInteger(value: unknown, input: OnnxInputInfo, feed: FeedValue, index: number): bigint {
  const range = integerRanges[input.type] as readonly [bigint, bigint];
  let integer: bigint | undefined;
  if (typeof value === 'bigint') integer = value;
  else {
    const number = toNumber(value, input, feed, index);
    if (Number.isInteger(number)) integer = BigInt(number);
  }
  if (integer === undefined || integer < range[0] || integer > range[1]) {
    throw bad(
      `${feed.source} value ${String(value)} at index ${index} is not an integer in ${input.type}'s range [${range[0]}, ${range[1]}], which input '${input.name}' takes`,
    );
  }
  return integer;
}

/** Casts a feed to the input's element type (MLflow casts float64 to float32; Cairn casts every number). */
function toOrtTensor(runtime: OnnxRuntime, input: OnnxInputInfo, feed: FeedValue): OrtTensor {
  const { values, shape } = feed;
  const length = values.length;
  const dims = [...shape];
  const numbers = (make: (n: number) => Float32Array | Float64Array) => {
    const out = make(length);
    for (let i = 0; i < length; i++) {
      const value = values[i];
      out[i] = typeof value === 'number' ? value : toNumber(value, input, feed, i);
    }
    return out;
  };
  switch (input.type) {
    case 'float32':
      return new runtime.Tensor(
        'float32',
        numbers((n) => new Float32Array(n)),
        dims,
      );
    case 'float64':
      return new runtime.Tensor(
        'float64',
        numbers((n) => new Float64Array(n)),
        dims,
      );
    case 'int64':
    case 'uint64': {
      const out = input.type === 'int64' ? new BigInt64Array(length) : new BigUint64Array(length);
      for (let i = 0; i < length; i++) out[i] = toInteger(values[i], input, feed, i);
      return new runtime.Tensor(input.type, out as BigInt64Array, dims);
    }
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      const out = new {
        int8: Int8Array,
        uint8: Uint8Array,
        int16: Int16Array,
        uint16: Uint16Array,
        int32: Int32Array,
        uint32: Uint32Array,
      }[input.type](length);
      for (let i = 0; i < length; i++) out[i] = Number(toInteger(values[i], input, feed, i));
      return new runtime.Tensor(input.type, out as TypedTensor<'int32'>['data'], dims);
    }
    case 'bool': {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const value = values[i];
        if (typeof value !== 'boolean' && value !== 0 && value !== 1) {
          throw bad(
            `${feed.source} value ${JSON.stringify(value)} at index ${i} is not a boolean, which input '${input.name}' takes`,
          );
        }
        out[i] = value === true || value === 1 ? 1 : 0;
      }
      return new runtime.Tensor('bool', out, dims);
    }
    case 'string': {
      const out: string[] = [];
      for (let i = 0; i < length; i++) {
        const value = values[i];
        if (typeof value !== 'string') {
          throw bad(
            `${feed.source} value ${JSON.stringify(value)} at index ${i} is not a string, which input '${input.name}' takes`,
          );
        }
        out.push(value);
      }
      return new runtime.Tensor('string', out, dims);
    }
    default:
      throw bad(
        `input '${input.name}' has element type ${input.type}, which Cairn's onnx flavor cannot feed`,
      );
  }
}

/** A rank-2 input with one column takes a column as [n, 1] (skl2onnx names each column's input so). */
function columnShape(input: OnnxInputInfo, rows: number): number[] {
  return input.shape.length === 2 && input.shape[1] === 1 ? [rows, 1] : [rows];
}

function tensorFeed(tensor: Tensor, source: string): FeedValue {
  return { values: tensor.data, shape: tensor.shape, source };
}

function checkedShape(input: OnnxInputInfo, feed: FeedValue): FeedValue {
  const declared = input.shape;
  const rankMismatch = declared.length > 0 && declared.length !== feed.shape.length;
  const dimMismatch = declared.some((dim, i) => typeof dim === 'number' && dim >= 0 && feed.shape[i] !== dim);
  if (rankMismatch || dimMismatch) {
    const wanted = declared.map((dim) => (typeof dim === 'number' && dim >= 0 ? String(dim) : '-1'));
    throw bad(
      `${feed.source} has shape [${feed.shape.join(', ')}], and input '${input.name}' takes shape [${wanted.join(', ')}]`,
    );
  }
  return feed;
}

/**
 * The session's feeds for an input, as MLflow's onnx pyfunc wrapper builds them: a DataFrame feeds a
 * model with one input all its columns as one 2-D tensor, and a model with several inputs the column named
 * after each input; a tensor feeds a model with one input; named tensors feed the inputs by name.
 */
export function buildFeeds(
  runtime: OnnxRuntime,
  inputs: readonly OnnxInputInfo[],
  data: ModelInput,
): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  const feed = (input: OnnxInputInfo, value: FeedValue) => {
    feeds[input.name] = toOrtTensor(runtime, input, checkedShape(input, value));
  };
  const names = inputs.map((input) => `'${input.name}'`).join(', ');
  switch (data.kind) {
    case 'dataframe': {
      const rows = data.rows.length;
      if (inputs.length === 1) {
        const input = inputs[0] as OnnxInputInfo;
        const width = data.columns.length;
        const values = new Array<unknown>(rows * width);
        data.rows.forEach((row, r) => {
          for (let c = 0; c < width; c++) values[r * width + c] = row[c];
        });
        const shape =
          input.shape.length === 1 && data.columns.length === 1 ? [rows] : [rows, data.columns.length];
        feed(input, { values, shape, source: 'the DataFrame' });
      } else {
        for (const input of inputs) {
          const column = data.columns.indexOf(input.name);
          if (column < 0) {
            throw bad(
              `the DataFrame has no column '${input.name}'; a model with several inputs takes one column per input (${names}), and the columns are ${data.columns.map((c) => `'${c}'`).join(', ')}`,
            );
          }
          const values = data.rows.map((row) => row[column]);
          feed(input, { values, shape: columnShape(input, rows), source: `column '${input.name}'` });
        }
      }
      return feeds;
    }
    case 'tensor': {
      if (inputs.length !== 1) {
        throw bad(
          `a single tensor feeds only a model with one input; this model has ${inputs.length} (${names}): pass named tensors or a DataFrame`,
        );
      }
      feed(inputs[0] as OnnxInputInfo, tensorFeed(data, 'the tensor'));
      return feeds;
    }
    case 'tensors': {
      const known = new Set(inputs.map((input) => input.name));
      const unknown = Object.keys(data.tensors).filter((name) => !known.has(name));
      if (unknown.length > 0)
        throw bad(`tensor '${unknown[0]}' names no input of the model; its inputs are ${names}`);
      for (const input of inputs) {
        const tensor = data.tensors[input.name];
        if (tensor === undefined)
          throw bad(`no tensor for input '${input.name}'; the model's inputs are ${names}`);
        feed(input, tensorFeed(tensor, `tensor '${input.name}'`));
      }
      return feeds;
    }
    default:
      throw bad(
        `the onnx flavor predicts on a DataFrame, a tensor or named tensors, not on ${typeof data.value === 'object' ? 'a JSON object' : `a ${typeof data.value}`}`,
      );
  }
}
