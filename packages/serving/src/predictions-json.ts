import type { DataFrame, Tensor } from '@cairn/models';

/**
 * A model's output as the JSON MLflow's scoring server answers under `predictions`: a DataFrame as a list of
 * records (pandas' `records` orient), a tensor as nested lists, named tensors as a dictionary of nested lists,
 * typed arrays as lists, bigints as numbers, NaN and infinities as null; other JSON values as they are.
 */
export function toJsonPredictions(output: unknown): unknown {
  if (isTagged(output, 'dataframe')) return dataFrameRecords(output as DataFrame);
  if (isTagged(output, 'tensor')) return tensorToNestedLists(output as Tensor);
  if (isTagged(output, 'tensors')) {
    const tensors = (output as { tensors: Record<string, Tensor> }).tensors;
    return Object.fromEntries(
      Object.entries(tensors).map(([name, tensor]) => [name, tensorToNestedLists(tensor)]),
    );
  }
  if (isTagged(output, 'json')) return jsonable((output as { value: unknown }).value);
  return jsonable(output);
}

function isTagged(value: unknown, kind: string): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind;
}

/** The rows of a DataFrame as `{column: value}` records. */
export function dataFrameRecords(frame: DataFrame): Record<string, unknown>[] {
  return frame.rows.map((row) => {
    const record: Record<string, unknown> = {};
    frame.columns.forEach((column, index) => {
      record[column] = jsonable(row[index]);
    });
    return record;
  });
}

/** A flat row-major tensor as nested lists of its shape (a scalar for shape `[]`). */
export function tensorToNestedLists(tensor: Tensor): unknown {
  const { shape, data } = tensor;
  if (shape.length === 0) return jsonable(data[0]);
  const build = (dimension: number, offset: number): unknown[] => {
    const size = shape[dimension] ?? 0;
    if (dimension === shape.length - 1) {
      return Array.from({ length: size }, (_, index) => jsonable(data[offset + index]));
    }
    const stride = shape.slice(dimension + 1).reduce((product, value) => product * value, 1);
    return Array.from({ length: size }, (_, index) => build(dimension + 1, offset + index * stride));
  };
  return build(0, 0);
}

/** A value JSON.stringify writes as MLflow's NumpyEncoder would. */
function jsonable(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<unknown>, jsonable);
  }
  if (Array.isArray(value)) return value.map(jsonable);
  if (value instanceof Date) return value.toISOString();
  if (isTagged(value, 'tensor') || isTagged(value, 'dataframe') || isTagged(value, 'tensors')) {
    return toJsonPredictions(value);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonable(item)]));
  }
  return value;
}
