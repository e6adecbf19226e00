import type { SqlDialectName } from './sql-dialect-name.js';

/** MLflow stores +/-Infinity as the largest finite double, since MySQL cannot hold infinities. */
const largestDouble = 1.7976931348623157e308;

/** A number column as the driver returned it: PostgreSQL hands BIGINT over as a string. */
export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A nullable number column, or undefined. */
export function toOptionalNumber(value: number | string | bigint | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : toNumber(value);
}

/** A boolean column as the driver returned it (SQLite and MySQL give 0/1). */
export function toBoolean(value: boolean | number | string | null | undefined): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

/** A boolean as the dialect binds it: better-sqlite3 cannot bind JS booleans. */
export function booleanParameter(dialect: SqlDialectName, value: boolean): boolean | number {
  return dialect === 'postgres' ? value : value ? 1 : 0;
}

/** How MLflow stores a metric value: NaN as 0 with is_nan set, infinities clamped to the largest double. */
export function storedMetricValue(value: number): { value: number; isNan: boolean } {
  if (Number.isNaN(value)) return { value: 0, isNan: true };
  if (value === Number.POSITIVE_INFINITY) return { value: largestDouble, isNan: false };
  if (value === Number.NEGATIVE_INFINITY) return { value: -largestDouble, isNan: false };
  return { value, isNan: false };
}

/** The metric value a stored row stands for: the inverse of {@link storedMetricValue}. */
export function metricValueFromRow(value: number | string, isNan: boolean | number | string): number {
  if (toBoolean(isNan)) return Number.NaN;
  const number = toNumber(value);
  if (number >= largestDouble) return Number.POSITIVE_INFINITY;
  if (number <= -largestDouble) return Number.NEGATIVE_INFINITY;
  return number;
}

/** True when a driver error is a unique or primary-key violation, in any of the three dialects. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'ER_DUP_ENTRY' ||
    errno === 1062
  );
}

/** The largest value of the INTEGER experiment_id column in every dialect. */
const largestExperimentId = 2_147_483_647;

/**
 * The numeric form of an experiment id, or undefined for an id no SQL experiment can have (not decimal,
 * or past the INTEGER column, e.g. an 18-digit file-store id), so lookups answer "does not exist" rather
 * than fail with a driver range error.
 */
export function experimentIdNumber(experimentId: string): number | undefined {
  if (!/^[0-9]{1,10}$/u.test(experimentId)) return undefined;
  const id = Number(experimentId);
  return id <= largestExperimentId ? id : undefined;
}
