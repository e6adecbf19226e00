import { type CairnError, invalidParameter } from '@cairn/core';
import type { z } from 'zod';
import { jsonBodyText } from './json-body.js';
import { type PythonValue, parsePythonJson, pythonJsonDumps, pythonValueOf } from './python-json.js';

/** What MLflow's server appends to every request-validation message. */
const apiDocsHint = 'See the API docs for more information about request parameters.';

/** A field's path as MLflow names it: `metrics[0].timestamp`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

const expectedKinds: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'a JSON array',
  object: 'a JSON object',
};

/**
 * What the field must hold, as a sentence, from the schema's complaint. The wire types word their own
 * complaints as what is expected ("an integer"); zod's built-in ones are sentences already.
 */
function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `It must be ${expectedKinds[issue.expected] ?? issue.expected}.`;
  if (issue.code === 'invalid_value') {
    return `It must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
  }
  return /^[A-Z]/u.test(issue.message) ? `${issue.message}.` : `It must be ${issue.message}.`;
}

/**
 * Turns a request that failed its schema into MLflow's message for the first failing field: "Missing value
 * for required parameter 'x'." when it is absent (or null, which protobuf reads as absent), otherwise "Invalid
 * value <the value as Python's json.dumps prints it> for parameter 'x' supplied: Hint: Value was of type
 * '<Python type>'.", then what the field must hold. `source` is the parsed body (whose text is used when
 * known, so `9.0` reads back as written) or the query string.
 */
export function requestError(error: z.ZodError, source: unknown): CairnError {
  const issue = error.issues[0];
  if (issue === undefined) return invalidParameter(`Invalid request. ${apiDocsHint}`, { field: 'request' });
  const text = jsonBodyText(source);
  let node: PythonValue = (text === undefined ? undefined : parsePythonJson(text)) ?? pythonValueOf(source);
  const reached: PropertyKey[] = [];
  let wrongContainer: 'a JSON array' | 'a JSON object' | undefined;
  for (const key of issue.path) {
    let next: PythonValue | undefined;
    if (node.type === 'dict' && typeof key === 'string') next = node.entries.get(key);
    else if (node.type === 'list' && typeof key === 'number') next = node.items[key];
    else if (node.type !== 'dict' && node.type !== 'list') {
      // A scalar where the schema wanted to look inside: the scalar itself is the wrong value.
      wrongContainer = typeof key === 'number' ? 'a JSON array' : 'a JSON object';
      break;
    }
    reached.push(key);
    if (next === undefined) {
      node = { type: 'NoneType' };
      break;
    }
    node = next;
  }
  const field = fieldName(reached.length > 0 ? reached : ['request']);
  if (node.type === 'NoneType') {
    return invalidParameter(`Missing value for required parameter '${field}'. ${apiDocsHint}`, { field });
  }
  const value = pythonJsonDumps(node, { compact: true, sortKeys: true });
  return invalidParameter(
    `Invalid value ${value} for parameter '${field}' supplied: Hint: Value was of type '${node.type}'. ` +
      `${wrongContainer === undefined ? expectation(issue) : `It must be ${wrongContainer}.`} ${apiDocsHint}`,
    { field },
  );
}
