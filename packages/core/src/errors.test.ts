import { describe, expect, it } from 'vitest';
import {
  CairnError,
  errorCodeForHttpStatus,
  errorCodeHttpStatus,
  httpStatusForErrorCode,
  isErrorCode,
  toCairnError,
} from './errors.js';

describe('CairnError', () => {
  it('maps MLflow codes to the statuses MLflow answers with', () => {
    expect(httpStatusForErrorCode('INVALID_PARAMETER_VALUE')).toBe(400);
    expect(httpStatusForErrorCode('RESOURCE_ALREADY_EXISTS')).toBe(400);
    expect(httpStatusForErrorCode('RESOURCE_DOES_NOT_EXIST')).toBe(404);
    expect(httpStatusForErrorCode('ENDPOINT_NOT_FOUND')).toBe(404);
    expect(httpStatusForErrorCode('NOT_IMPLEMENTED')).toBe(501);
    expect(httpStatusForErrorCode('TEMPORARILY_UNAVAILABLE')).toBe(503);
    expect(httpStatusForErrorCode('INTERNAL_ERROR')).toBe(500);
    expect(httpStatusForErrorCode('PERMISSION_DENIED')).toBe(403);
    expect(httpStatusForErrorCode('REQUEST_LIMIT_EXCEEDED')).toBe(429);
  });

  it('reads a bare status the way MLflow’s client does (404 is ENDPOINT_NOT_FOUND)', () => {
    expect(errorCodeForHttpStatus(404)).toBe('ENDPOINT_NOT_FOUND');
    expect(errorCodeForHttpStatus(400)).toBe('BAD_REQUEST');
    expect(errorCodeForHttpStatus(418)).toBe('INTERNAL_ERROR');
  });

  it('serialises to MLflow’s error body and keeps details and cause', () => {
    const cause = new Error('disk');
    const error = new CairnError('INVALID_PARAMETER_VALUE', 'bad key', { details: { field: 'key' }, cause });
    expect(error.toJSON()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad key' });
    expect(error.httpStatus).toBe(400);
    expect(error.details).toEqual({ field: 'key' });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('recognises instances across duplicate package copies by a global symbol', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('cairn.error')]: true, code: 'NOT_FOUND' });
    expect(CairnError.isInstance(foreign)).toBe(true);
    expect(CairnError.isInstance(new Error('x'))).toBe(false);
    expect(CairnError.isInstance(null)).toBe(false);
  });

  it('turns anything thrown into a CairnError at a boundary', () => {
    const known = new CairnError('NOT_FOUND', 'gone');
    expect(toCairnError(known)).toBe(known);
    expect(toCairnError(new TypeError('boom'))).toMatchObject({ code: 'INTERNAL_ERROR', message: 'boom' });
    expect(toCairnError('text')).toMatchObject({ code: 'INTERNAL_ERROR', message: 'text' });
  });

  it('knows exactly the codes of its table', () => {
    expect(isErrorCode('RESOURCE_DOES_NOT_EXIST')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(400)).toBe(false);
    expect(Object.values(errorCodeHttpStatus).every((status) => status >= 400 && status < 600)).toBe(true);
  });
});
