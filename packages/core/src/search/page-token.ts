import { z } from 'zod';
import { CairnError } from '../errors.js';

/** A JSON value: what a page token can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The query a page token belongs to; a token only decodes for the same query. */
export interface PageTokenQuery {
  /** The filter string as the caller sent it. */
  filter?: string | undefined;
  /** The order_by clauses as the caller sent them. */
  orderBy?: readonly string[] | undefined;
  /** Anything else that defines the result set, e.g. the experiment ids and view type of a run search. */
  scope?: string | undefined;
}

const tokenVersion = 1;

const envelopeSchema = z
  .object({
    v: z.literal(tokenVersion),
    q: z.string(),
    p: z.json(),
    c: z.string(),
  })
  .strict();

/**
 * 64-bit FNV-1a over the UTF-8 bytes, as 16 hex digits. A checksum, not a signature: it makes edited or
 * truncated tokens fail loudly; core has no secret to sign with, and the token holds no secrets.
 */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

function fingerprint(query: PageTokenQuery): string {
  return fnv1a64(JSON.stringify([query.filter ?? '', query.orderBy ?? [], query.scope ?? '']));
}

function checksum(version: number, queryFingerprint: string, payload: JsonValue): string {
  return fnv1a64(JSON.stringify([version, queryFingerprint, payload]));
}

// base64url by hand: core also runs in browsers, so no Buffer.
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(token: string): string {
  const base64 = token.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function invalidToken(reason: string, cause?: unknown): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `Invalid page token: ${reason}`, {
    details: { field: 'page_token' },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Wraps a payload (an offset, a keyset position...) into an opaque page token: base64url of JSON holding
 * the payload, a fingerprint of the query, and a checksum over both.
 */
export function encodePageToken(payload: JsonValue, query: PageTokenQuery): string {
  const queryFingerprint = fingerprint(query);
  return toBase64Url(
    JSON.stringify({
      v: tokenVersion,
      q: queryFingerprint,
      p: payload,
      c: checksum(tokenVersion, queryFingerprint, payload),
    }),
  );
}

/**
 * Reads back the payload of a token made by {@link encodePageToken}. Fails with INVALID_PARAMETER_VALUE
 * "Invalid page token" when the token is malformed, was edited, or belongs to another query.
 */
export function decodePageToken(token: string, query: PageTokenQuery): JsonValue {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalidToken('it is not a token this server issued');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(token));
  } catch (error) {
    throw invalidToken('it is not a token this server issued', error);
  }
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) throw invalidToken('it is not a token this server issued');
  const { v, q, p, c } = envelope.data;
  if (checksum(v, q, p as JsonValue) !== c) throw invalidToken('its checksum does not match; it was altered');
  if (q !== fingerprint(query)) {
    throw invalidToken(
      'it belongs to another query; filter, order_by and scope must not change between pages',
    );
  }
  return p as JsonValue;
}
