import { CairnError, type ErrorCode } from '@cairn/core';
import { expect } from 'vitest';

/**
 * Awaits `action` (a promise or a function returning one), asserts it fails with a `CairnError` whose code
 * is `code` (or one of `code`), and returns the error for further checks.
 */
export async function expectCairnError(
  action: Promise<unknown> | (() => Promise<unknown> | unknown),
  code: ErrorCode | readonly ErrorCode[],
): Promise<CairnError> {
  let caught: unknown;
  let settled = false;
  try {
    await (typeof action === 'function' ? action() : action);
    settled = true;
  } catch (error) {
    caught = error;
  }
  const expected = typeof code === 'string' ? [code] : code;
  if (settled)
    expect.fail(`expected a CairnError with code ${expected.join(' or ')}, but the call succeeded`);
  if (!CairnError.isInstance(caught)) {
    expect.fail(`expected a CairnError with code ${expected.join(' or ')}, got ${String(caught)}`);
  }
  expect(expected, `error code (message: ${caught.message})`).toContain(caught.code);
  return caught;
}

/**
 * Asserts an error names `field`: in `details.field` when the store sets it, else in its message (what is
 * left of it after a trip over REST, where only MLflow's `{error_code, message}` travels).
 */
export function expectFieldNamed(error: CairnError, field: string): void {
  if (error.details?.field !== undefined) {
    expect(error.details.field, `field named by: ${error.message}`).toBe(field);
    return;
  }
  expect(error.message.toLowerCase(), 'error message names the field').toContain(field.toLowerCase());
}
