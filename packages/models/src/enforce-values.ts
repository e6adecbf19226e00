import { invalidParameter } from '@cairn/core';
import type { ColumnType } from './model-input.js';
import type { ColSpec } from './signature.js';

/**
 * MLflow's column conversion rules (`_enforce_mlflow_datatype`) over JavaScript values. A JS number has no
 * width, so it is checked as the JSON MLflow's scoring server parses with the schema: whole numbers fit
 * integer/long (integer within 32 bits), any number fits float/double. Where a value does carry a width —
 * a bigint is an int64 — MLflow's own rule applies: int64 widens to double only when every value is 0 or 1.
 */

/** The numpy dtype MLflow names for each column type, used in its error messages. */
export const numpyNameOfColumnType: Readonly<Record<ColumnType, string>> = {
  boolean: 'bool',
  integer: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  string: 'object',
  binary: 'object',
  datetime: 'datetime64[ns]',
};

const isMissing = (value: unknown) => value === null || value === undefined || Number.isNaN(value);

/** The numpy dtype pandas would give a column of these values (`object` for mixed ones). */
export function columnDType(values: readonly unknown[]): string {
  const present = values.filter((value) => !isMissing(value));
  const hasMissing = present.length < values.length;
  if (present.length === 0) return hasMissing ? 'float64' : 'object';
  if (present.every((value) => typeof value === 'boolean')) return hasMissing ? 'object' : 'bool';
  if (present.every((value) => typeof value === 'bigint')) return hasMissing ? 'float64' : 'int64';
  if (present.every((value) => typeof value === 'number' || typeof value === 'bigint')) {
    return !hasMissing && present.every((value) => Number.isInteger(Number(value))) ? 'int64' : 'float64';
  }
  if (present.every((value) => value instanceof Date)) return 'datetime64[ns]';
  return 'object';
}

const incompatible = (column: string, from: string, to: ColumnType, hint = '') =>
  invalidParameter(
    `Incompatible input types for column ${column}. Can not safely convert ${from} to ${numpyNameOfColumnType[to]}.${hint}`,
    { field: column, expected: to },
  );

const missingValuesHint =
  ' Hint: the type mismatch is likely caused by missing values. Integers cannot represent missing values; declare the column as double, or infer the signature from data with missing values.';

/** Checks (and where MLflow converts, converts) one column's values to a base column type. */
export function enforceColumnValues(column: string, values: readonly unknown[], type: ColumnType): unknown[] {
  const dtype = columnDType(values);
  const present = values.filter((value) => !isMissing(value));
  switch (type) {
    case 'string':
      if (
        dtype !== 'object' ||
        present.some((value) => value instanceof Uint8Array || value instanceof Date)
      ) {
        if (present.every((value) => typeof value === 'string')) return [...values];
        throw incompatible(column, dtype, type);
      }
      return [...values];
    case 'binary':
      if (present.every((value) => value instanceof Uint8Array || typeof value === 'string'))
        return [...values];
      throw incompatible(column, dtype, type);
    case 'boolean':
      if (present.every((value) => typeof value === 'boolean')) return [...values];
      throw incompatible(column, dtype, type);
    case 'datetime':
      return values.map((value) => {
        if (isMissing(value) || value instanceof Date) return value;
        const parsed = typeof value === 'string' ? new Date(value) : undefined;
        if (parsed === undefined || Number.isNaN(parsed.getTime())) {
          throw invalidParameter(`Failed to convert column ${column} from type ${dtype} to datetime.`, {
            field: column,
            expected: type,
          });
        }
        return parsed;
      });
    case 'integer':
    case 'long': {
      if (!present.every((value) => typeof value === 'number' || typeof value === 'bigint')) {
        throw incompatible(column, dtype, type);
      }
      const whole = present.every((value) => typeof value === 'bigint' || Number.isInteger(value));
      if (!whole || present.length < values.length) {
        const hint =
          whole || present.every((value) => Number.isInteger(Number(value))) ? missingValuesHint : '';
        throw incompatible(column, 'float64', type, present.length < values.length ? hint : '');
      }
      if (type === 'integer') {
        const outside = present.find((value) => Number(value) < -(2 ** 31) || Number(value) >= 2 ** 31);
        if (outside !== undefined)
          throw incompatible(column, 'int64', type, ` ${outside} is outside 32 bits.`);
      }
      return values.map((value) => (typeof value === 'bigint' && type === 'integer' ? Number(value) : value));
    }
    case 'float':
    case 'double': {
      if (!present.every((value) => typeof value === 'number' || typeof value === 'bigint')) {
        throw incompatible(column, dtype, type);
      }
      const bigints = present.filter((value) => typeof value === 'bigint');
      if (bigints.length > 0 && !bigints.every((value) => value === 0n || value === 1n)) {
        throw incompatible(column, 'int64', type);
      }
      return values.map((value) => (typeof value === 'bigint' ? Number(value) : value));
    }
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array) &&
  !(value instanceof Date);

/** A type as MLflow nests it (`{"type": "double"}` inside an array) to a base type name or a composite dict. */
export function normalizeType(type: unknown): ColSpec['type'] {
  if (typeof type === 'string') return type as ColumnType;
  if (isPlainObject(type) && typeof type.type === 'string') {
    const { type: name, required: _required, ...rest } = type;
    if (!['array', 'object', 'map', 'any'].includes(name) && Object.keys(rest).length === 0)
      return name as ColumnType;
    return type;
  }
  return { type: 'unknown', given: type };
}

const typeName = (type: ColSpec['type']) => (typeof type === 'string' ? type : String(type.type));

/** MLflow's `_enforce_type` for one cell of an array/object/map/any column (or one param value). */
export function enforceValue(column: string, value: unknown, given: unknown, required: boolean): unknown {
  const type = normalizeType(given);
  const fail = (problem: string) =>
    invalidParameter(`Failed to enforce schema of column ${column}: ${problem}`, {
      field: column,
      expected: typeName(type),
    });
  if (typeof type === 'string') {
    if (!required && isMissing(value)) return null;
    if (isMissing(value)) throw fail(`expected ${type}, got null`);
    try {
      return enforceColumnValues(column, [value], type)[0];
    } catch {
      throw fail(`value ${JSON.stringify(value)} is not ${type}`);
    }
  }
  switch (type.type) {
    case 'any':
      return value;
    case 'array': {
      if (!required && (isMissing(value) || (Array.isArray(value) && value.length === 0))) return value;
      if (!Array.isArray(value)) throw fail(`expected a list, got ${value === null ? 'null' : typeof value}`);
      return value.map((item) => enforceValue(column, item, type.items, true));
    }
    case 'object': {
      if (!required && (isMissing(value) || (isPlainObject(value) && Object.keys(value).length === 0)))
        return value;
      if (!isPlainObject(value))
        throw fail(`expected an object, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      const properties = (type.properties ?? {}) as Record<
        string,
        { type: unknown; required?: boolean } & Record<string, unknown>
      >;
      const missing = Object.entries(properties)
        .filter(([name, property]) => property.required !== false && !(name in value))
        .map(([name]) => name);
      if (missing.length > 0) throw fail(`missing required properties ${missing.join(', ')}`);
      const unknown = Object.keys(value).filter((name) => !(name in properties));
      if (unknown.length > 0) throw fail(`properties not defined in the schema: ${unknown.join(', ')}`);
      return Object.fromEntries(
        Object.entries(value).map(([name, item]) => {
          const { required: propertyRequired, ...property } = properties[name] as Record<string, unknown>;
          return [name, enforceValue(`${column}.${name}`, item, property, propertyRequired !== false)];
        }),
      );
    }
    case 'map': {
      if (!required && (isMissing(value) || (isPlainObject(value) && Object.keys(value).length === 0)))
        return value;
      if (!isPlainObject(value)) throw fail(`expected an object of values, got ${typeof value}`);
      const values = type.values;
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          enforceValue(`${column}.${key}`, item, values, true),
        ]),
      );
    }
    default:
      throw fail(`unknown type ${JSON.stringify(type)}`);
  }
}
