import { invalidParameter } from '@cairn/core';
import { enforceColumnValues, enforceValue, normalizeType } from './enforce-values.js';
import type { DataFrame, ModelInput, Tensor } from './model-input.js';
import type { ColSpec } from './signature.js';
import { dataFrameFromRecords, tensorToNested } from './to-model-input.js';

const isScalar = (value: unknown) =>
  value === null || (typeof value !== 'object' && typeof value !== 'function');
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof Date);

/** A tensor's values as column cells (a BigInt64Array's as bigints, so MLflow's int64 rules apply to them). */
const tensorCells = (tensor: Tensor): unknown[] => Array.from(tensor.data);

/** A tensor as a table, as pandas builds one from an ndarray: columns 0..n-1. */
function frameFromTensor(name: string | undefined, tensor: Tensor): DataFrame {
  const cells = tensorCells(tensor);
  if (tensor.shape.length <= 1) {
    return { kind: 'dataframe', columns: [name ?? '0'], rows: cells.map((cell) => [cell]) };
  }
  if (tensor.shape.length === 2) {
    const [rows, columns] = tensor.shape as [number, number];
    return {
      kind: 'dataframe',
      columns: Array.from({ length: columns }, (_, index) => String(index)),
      rows: Array.from({ length: rows }, (_, row) => cells.slice(row * columns, (row + 1) * columns)),
    };
  }
  const nested = tensorToNested(tensor) as unknown[];
  return { kind: 'dataframe', columns: [name ?? '0'], rows: nested.map((cell) => [cell]) };
}

/** Any input as the table a column-based signature is checked against (MLflow's conversions to a DataFrame). */
export function frameForColumns(input: ModelInput, columns: readonly ColSpec[]): DataFrame {
  switch (input.kind) {
    case 'dataframe':
      return input;
    case 'tensor':
      return frameFromTensor(undefined, input);
    case 'tensors': {
      const frames = Object.entries(input.tensors).map(([name, tensor]) => ({
        name,
        cells: tensorCells(tensor),
      }));
      const length = frames[0]?.cells.length ?? 0;
      if (frames.some((frame) => frame.cells.length !== length)) {
        throw invalidParameter('The named tensors of a column-based input must all hold as many values', {
          field: 'inputs',
        });
      }
      return {
        kind: 'dataframe',
        columns: frames.map((frame) => frame.name),
        rows: Array.from({ length }, (_, row) => frames.map((frame) => frame.cells[row])),
      };
    }
    case 'json': {
      const { value } = input;
      if (isScalar(value) || value instanceof Date || value instanceof Uint8Array) {
        return { kind: 'dataframe', columns: ['0'], rows: [[value]] };
      }
      if (Array.isArray(value)) {
        if (value.length > 0 && value.every(isRecord)) return dataFrameFromRecords(value);
        if (value.every((item) => !Array.isArray(item))) {
          return { kind: 'dataframe', columns: ['0'], rows: value.map((item) => [item]) };
        }
        const width = Math.max(...value.map((item) => (Array.isArray(item) ? item.length : 1)));
        return {
          kind: 'dataframe',
          columns: Array.from({ length: width }, (_, index) => String(index)),
          rows: value.map((item) => (Array.isArray(item) ? item : [item])),
        };
      }
      if (isRecord(value)) {
        const entries = Object.entries(value);
        const composite = columns.some((column) => typeof normalizeType(column.type) !== 'string');
        const oneRow = entries.every(
          ([, item]) =>
            isScalar(item) || (Array.isArray(item) && item.every((cell) => typeof cell === 'string')),
        );
        if (composite || oneRow) {
          return {
            kind: 'dataframe',
            columns: entries.map(([name]) => name),
            rows: [entries.map(([, item]) => item)],
          };
        }
        const lengths = new Set(entries.map(([, item]) => (Array.isArray(item) ? item.length : 1)));
        if (lengths.size > 1) {
          throw invalidParameter(
            'This model has a column-based signature, which takes a table; the object given has columns of different lengths',
            { field: 'inputs' },
          );
        }
        const [length] = lengths as unknown as [number];
        return {
          kind: 'dataframe',
          columns: entries.map(([name]) => name),
          rows: Array.from({ length }, (_, row) =>
            entries.map(([, item]) => (Array.isArray(item) ? item[row] : item)),
          ),
        };
      }
      throw invalidParameter('This model has a column-based signature, which takes a table', {
        field: 'inputs',
      });
    }
  }
}

/** One column's cells against its spec: base types column-wise, composite types cell by cell. */
function enforceColumn(name: string, cells: readonly unknown[], column: ColSpec): unknown[] {
  const type = normalizeType(column.type);
  if (typeof type === 'string') return enforceColumnValues(name, cells, type);
  return cells.map((cell) => enforceValue(name, cell, type, column.required));
}

/**
 * A table against a column-based schema (MLflow's `_enforce_named_col_schema` / `_enforce_unnamed_col_schema`).
 * Named: every required column must be there (INVALID_PARAMETER_VALUE naming the missing ones), optional
 * ones may be missing, extra ones are dropped, and the result has the schema's order. Unnamed: the first
 * columns are checked by position, and there must be at least as many as the schema has.
 */
export function enforceColumnSchema(input: ModelInput, columns: readonly ColSpec[]): DataFrame {
  const frame = frameForColumns(input, columns);
  const cells = (index: number) => frame.rows.map((row) => row[index]);
  const named = columns.every((column) => column.name !== undefined);
  if (!named) {
    if (frame.columns.length < columns.length) {
      throw invalidParameter(
        `Model inference is missing inputs. The model signature declares ${columns.length} inputs but the provided value only has ${frame.columns.length} inputs. Note: the inputs were not named in the signature so only their count is checked.`,
        { field: 'inputs' },
      );
    }
    const kept = columns.map((column, index) =>
      enforceColumn(frame.columns[index] as string, cells(index), column),
    );
    return {
      kind: 'dataframe',
      columns: frame.columns.slice(0, columns.length),
      rows: frame.rows.map((_, row) => kept.map((values) => values[row])),
    };
  }
  const present = new Set(frame.columns);
  const missing = columns
    .filter((column) => column.required && !present.has(column.name as string))
    .map((c) => c.name);
  if (missing.length > 0) {
    const known = new Set(columns.map((column) => column.name));
    const extra = frame.columns.filter((name) => !known.has(name));
    const expected = columns
      .filter((column) => missing.includes(column.name))
      .map(
        (column) =>
          `${column.name} (${typeof column.type === 'string' ? column.type : String(column.type.type)})`,
      );
    throw invalidParameter(
      `Model is missing inputs ${JSON.stringify(missing)}: the signature requires ${expected.join(', ')}.${extra.length > 0 ? ` Note that there were extra inputs: ${JSON.stringify(extra)}.` : ''}`,
      { field: 'inputs', missing, extra },
    );
  }
  const kept = columns.filter((column) => present.has(column.name as string));
  const values = kept.map((column) =>
    enforceColumn(column.name as string, cells(frame.columns.indexOf(column.name as string)), column),
  );
  return {
    kind: 'dataframe',
    columns: kept.map((column) => column.name as string),
    rows: frame.rows.map((_, row) => values.map((columnValues) => columnValues[row])),
  };
}
