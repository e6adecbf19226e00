import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const query = { filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'], scope: 'experiments=1,2' };

function failure(run: () => unknown): CairnError {
  try {
    run();
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

/** Flips one character of the decoded JSON and re-encodes, as a user editing a token would. */
function edit(token: string, from: string, to: string): string {
  const json = new TextDecoder().decode(
    Uint8Array.from(atob(token.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
  );
  expect(json).toContain(from);
  const bytes = new TextEncoder().encode(json.replace(from, to));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('page tokens', () => {
  it('round-trips a payload for the same query', () => {
    const payload = { after: [0.5, 'x', null, { number: 'NaN' }], note: 'ünïcode ✓' };
    const token = encodePageToken(payload, query);
    expect(decodePageToken(token, { ...query, orderBy: [...query.orderBy] })).toEqual(payload);
  });

  it('is base64url: no +, / or = padding', () => {
    const token = encodePageToken({ after: ['>>>???'] }, query);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('treats absent and empty query parts alike', () => {
    const token = encodePageToken(1, {});
    expect(decodePageToken(token, { filter: '', orderBy: [], scope: '' })).toBe(1);
  });

  it.each([
    ['filter', { ...query, filter: 'metrics.acc > 0.6' }],
    ['order_by', { ...query, orderBy: ['metrics.acc'] }],
    ['scope', { ...query, scope: 'experiments=1' }],
  ])('refuses a token reused with another %s', (_part, other) => {
    const token = encodePageToken({ after: [1] }, query);
    const error = failure(() => decodePageToken(token, other));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(/^Invalid page token/);
    expect(error.message).toMatch(/another query/);
  });

  it('refuses an edited payload', () => {
    const token = encodePageToken({ after: [12345] }, query);
    const error = failure(() => decodePageToken(edit(token, '12345', '12346'), query));
    expect(error.message).toMatch(/^Invalid page token: its checksum does not match/);
  });

  it.each([
    ['', 'empty'],
    ['not a token!', 'bad characters'],
    ['eyJvZmZzZXQiOiAxMDB9', "MLflow's {offset} token"],
    ['aGVsbG8', 'base64 of non-JSON'],
    ['_w', 'invalid UTF-8'],
  ])('refuses %j (%s)', (token) => {
    const error = failure(() => decodePageToken(token, query));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(/^Invalid page token/);
  });

  it('refuses a truncated token', () => {
    const token = encodePageToken({ after: [1, 2, 3] }, query);
    expect(() => decodePageToken(token.slice(0, -4), query)).toThrow(/Invalid page token/);
  });
});
