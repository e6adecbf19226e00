import { CairnError } from '@cairn/core';
import type { z } from 'zod';

/** A field's path as it reads in the JSON: `runs[0].info.run_id`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node = body;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function problem(issue: z.core.$ZodIssue, body: unknown): string {
  if (issue.code === 'invalid_type') {
    const value = valueAt(body, issue.path);
    return value === undefined
      ? `expected ${issue.expected}, but it is missing`
      : `expected ${issue.expected}, got ${kindOf(value)}`;
  }
  return issue.message;
}

/**
 * Parses a server's response body with its wire schema from `@cairn/core/wire`, so a malformed answer fails
 * here, naming the RPC and the field (`GET /api/2.0/mlflow/runs/get answered a malformed body:
 * run.info.run_id: expected string, got number`), rather than as a TypeError somewhere later. Fields the
 * schema does not know are dropped: newer MLflow servers add fields.
 */
export function parseWireResponse<T extends z.ZodType>(schema: T, body: unknown, rpc: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined ? '' : fieldPath(issue.path);
  const detail = issue === undefined ? 'it does not match the expected shape' : problem(issue, body);
  throw new CairnError(
    'INTERNAL_ERROR',
    `${rpc} answered a malformed body: ${field === '' ? '' : `${field}: `}${detail}`,
    { details: { rpc, ...(field === '' ? {} : { field }) }, cause: result.error },
  );
}
