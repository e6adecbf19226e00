/**
 * MLflow's error codes (from databricks.proto's ErrorCode) and the HTTP status MLflow's server
 * answers each one with. The table is the single source of truth for the server and the REST client.
 */
export const errorCodeHttpStatus = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  IO_ERROR: 500,
  BAD_REQUEST: 400,
  SERVICE_UNDER_MAINTENANCE: 503,
  WORKSPACE_TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  UNAUTHENTICATED: 401,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 500,
  PERMISSION_DENIED: 403,
  FEATURE_DISABLED: 501,
  CUSTOMER_UNAUTHORIZED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_CONFLICT: 409,
  UNPARSEABLE_HTTP_ERROR: 400,
  NOT_IMPLEMENTED: 501,
  DATA_LOSS: 500,
  INVALID_STATE_TRANSITION: 400,
  COULD_NOT_ACQUIRE_LOCK: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  QUOTA_EXCEEDED: 429,
  MAX_BLOCK_SIZE_EXCEEDED: 400,
  MAX_READ_SIZE_EXCEEDED: 400,
  DRY_RUN_FAILED: 400,
  RESOURCE_LIMIT_EXCEEDED: 400,
  DIRECTORY_NOT_EMPTY: 400,
  DIRECTORY_PROTECTED: 400,
  MAX_NOTEBOOK_SIZE_EXCEEDED: 400,
} as const satisfies Record<string, number>;

/** One of MLflow's error codes. */
export type ErrorCode = keyof typeof errorCodeHttpStatus;

/** Every error code, in table order. */
export const errorCodes = Object.keys(errorCodeHttpStatus) as ErrorCode[];

/** The HTTP status MLflow answers an error code with. */
export function httpStatusForErrorCode(code: ErrorCode): number {
  return errorCodeHttpStatus[code];
}

/** True when `value` names one of MLflow's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodeHttpStatus, value);
}

/**
 * The reverse mapping MLflow's client applies to a non-JSON error body: it knows only the status.
 * (404 reads as ENDPOINT_NOT_FOUND, which is what drives the client's fallbacks.)
 */
export function errorCodeForHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'ENDPOINT_NOT_FOUND';
    case 409:
      return 'RESOURCE_CONFLICT';
    case 429:
      return 'REQUEST_LIMIT_EXCEEDED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'TEMPORARILY_UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return 'INTERNAL_ERROR';
  }
}

const marker = Symbol.for('cairn.error');

/** Options for {@link CairnError}. */
export interface CairnErrorOptions {
  /** Structured facts about the failure (field, limit, position...). */
  details?: Record<string, unknown>;
  /** The error that caused this one. */
  cause?: unknown;
}

/** The one error type Cairn throws: an MLflow error code plus a message naming the field and the limit. */
export class CairnError extends Error {
  readonly [marker] = true;
  override readonly name = 'CairnError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status MLflow uses for this error's code. */
  get httpStatus(): number {
    return errorCodeHttpStatus[this.code];
  }

  /** True for a CairnError, also one made by a duplicate copy of this package. */
  static isInstance(value: unknown): value is CairnError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** MLflow's wire form: `{ error_code, message }`. */
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

/** Shorthand for the most common failure: a bad argument. */
export function invalidParameter(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message, details ? { details } : {});
}

/** Shorthand for a missing entity. */
export function doesNotExist(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError('RESOURCE_DOES_NOT_EXIST', message, details ? { details } : {});
}

/** Shorthand for a duplicate entity. */
export function alreadyExists(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError('RESOURCE_ALREADY_EXISTS', message, details ? { details } : {});
}

/** Turns any thrown value into a CairnError at a boundary; unknown failures become INTERNAL_ERROR. */
export function toCairnError(value: unknown): CairnError {
  if (CairnError.isInstance(value)) return value;
  if (value instanceof Error) return new CairnError('INTERNAL_ERROR', value.message, { cause: value });
  return new CairnError('INTERNAL_ERROR', String(value), { cause: value });
}
