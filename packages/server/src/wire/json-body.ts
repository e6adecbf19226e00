import { invalidParameter } from '@cairn/core';

// Each parsed body remembers its text, so an error can quote a value as the client wrote it (`9.0`, not `9`).
const bodyTexts = new WeakMap<object, string>();

/**
 * Parses a request body as MLflow's server does: an empty body is `{}`, and a JSON string holding JSON (what
 * old clients send) is decoded twice.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  let parsed: unknown;
  let source = text;
  try {
    parsed = JSON.parse(text);
    if (typeof parsed === 'string') {
      source = parsed;
      parsed = JSON.parse(parsed);
    }
  } catch {
    throw invalidParameter('The request body is not valid JSON', { field: 'body' });
  }
  if (typeof parsed === 'object' && parsed !== null) bodyTexts.set(parsed, source);
  return parsed;
}

/** The JSON text a body parsed by {@link parseJsonBody} came from; undefined for any other value. */
export function jsonBodyText(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? bodyTexts.get(body) : undefined;
}
