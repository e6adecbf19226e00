import { CairnError, doesNotExist, type ErrorCode } from '@cairn/core';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const shape = (error: unknown): SdkErrorShape =>
  typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};

/** The HTTP status an SDK error came with, if any. */
export function s3Status(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode;
}

/** True for "no such object" (GetObject answers NoSuchKey, HeadObject a bare 404 named NotFound). */
export function isMissingObject(error: unknown): boolean {
  const { name, Code } = shape(error);
  return name === 'NoSuchKey' || Code === 'NoSuchKey' || name === 'NotFound' || s3Status(error) === 404;
}

const codeFor = (error: unknown): ErrorCode => {
  const { name } = shape(error);
  if (name === 'NoSuchBucket' || name === 'NoSuchUpload') return 'RESOURCE_DOES_NOT_EXIST';
  const status = s3Status(error);
  if (name === 'AccessDenied' || status === 403) return 'PERMISSION_DENIED';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 503 || name === 'SlowDown') return 'TEMPORARILY_UNAVAILABLE';
  return 'INTERNAL_ERROR';
};

/**
 * Turns an SDK failure into a CairnError naming the operation and the object, keeping the SDK error as
 * the cause; CairnErrors pass through.
 */
export function s3Failure(error: unknown, operation: string, target: string): CairnError {
  if (CairnError.isInstance(error)) return error;
  const { name, message } = shape(error);
  const code = codeFor(error);
  const text = `S3 ${operation} of ${target} failed: ${name ?? 'Error'}: ${message ?? String(error)}`;
  if (code === 'RESOURCE_DOES_NOT_EXIST') return doesNotExist(text, { field: 'uri' });
  return new CairnError(code, text, { cause: error, details: { operation, target } });
}
