import { invalidParameter } from '@cairn/core';
import type { PredictParams } from './model-input.js';
import type { ParamSpec } from './signature.js';

const paramTypeChecks: Record<ParamSpec['type'], (value: unknown) => boolean> = {
  boolean: (value) => typeof value === 'boolean',
  integer: (value) =>
    (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31) ||
    typeof value === 'bigint',
  long: (value) => (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint',
  // MLflow allows int -> long/float/double, long -> float/double and float -> double for params.
  float: (value) => typeof value === 'number' || typeof value === 'bigint',
  double: (value) => typeof value === 'number' || typeof value === 'bigint',
  string: (value) => typeof value === 'string',
  binary: (value) => value instanceof Uint8Array || typeof value === 'string',
  datetime: (value) =>
    value instanceof Date || (typeof value === 'string' && !Number.isNaN(Date.parse(value))),
};

function enforceParamValue(spec: ParamSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const one = (item: unknown) => {
    if (
      typeof item === 'object' &&
      item !== null &&
      !(item instanceof Date) &&
      !(item instanceof Uint8Array)
    ) {
      throw new Error(`Value must be a scalar for type ${spec.type}, got ${JSON.stringify(item)}`);
    }
    if (!paramTypeChecks[spec.type](item)) {
      throw new Error(`Failed to convert ${JSON.stringify(item)} to ${spec.type}`);
    }
    if (spec.type === 'datetime' && typeof item === 'string') return new Date(item);
    if ((spec.type === 'float' || spec.type === 'double') && typeof item === 'bigint') return Number(item);
    return item;
  };
  if (spec.shape !== null) {
    if (!Array.isArray(value) || value.some(Array.isArray)) {
      throw new Error(`Value must be a 1D array with shape (-1,), got ${JSON.stringify(value)}`);
    }
    return value.map(one);
  }
  return one(value);
}

/**
 * Params against a ParamSchema, as MLflow's `_enforce_params_schema`: without a schema params are ignored;
 * unknown params are dropped, absent ones take their default, and values must have the param's type and
 * shape (with MLflow's widening int -> long -> float -> double). Every invalid param is named in one
 * INVALID_PARAMETER_VALUE.
 */
export function enforceParams(
  params: PredictParams | undefined,
  specs: readonly ParamSpec[] | undefined,
): PredictParams {
  if (specs === undefined) return {};
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw invalidParameter(
      `Parameters must be an object of name to value, got ${Array.isArray(params) ? 'a list' : typeof params}`,
      {
        field: 'params',
      },
    );
  }
  const given = params ?? {};
  const result: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const spec of specs) {
    if (!(spec.name in given)) {
      result[spec.name] = spec.default;
      continue;
    }
    try {
      result[spec.name] = enforceParamValue(spec, given[spec.name]);
    } catch (error) {
      invalid.push(
        `${spec.name} (expected ${spec.type}${spec.shape === null ? '' : ' list'}): ${(error as Error).message}`,
      );
    }
  }
  if (invalid.length > 0) {
    throw invalidParameter(`Invalid parameters found: ${invalid.join('; ')}`, { field: 'params' });
  }
  return result;
}
