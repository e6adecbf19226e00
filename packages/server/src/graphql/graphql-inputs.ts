import { invalidParameter } from '@cairn/core';

// GraphQL has already checked each input against the schema (a String is a string or null, an Int a 32-bit
// integer); what is left is what protobuf would refuse or what MLflow's handlers require. Errors name the
// field as MLflow's REST API does (snake_case), since that is the name in MLflow's messages and docs.

/** An input object as GraphQL hands it over: absent, null, or fields that may each be null. */
export type GraphqlInput = Readonly<Record<string, unknown>> | null | undefined;

/** The fields of an optional `input` argument (MLflow reads a missing one as an empty request). */
export const inputFields = (input: GraphqlInput): Readonly<Record<string, unknown>> => input ?? {};

/** A String field, or undefined when null, absent or empty (protobuf's unset string). */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A String field the request cannot do without. */
export function requiredString(value: unknown, field: string): string {
  const text = optionalString(value);
  if (text === undefined) {
    throw invalidParameter(`Missing value for required parameter '${field}'.`, { field });
  }
  return text;
}

/** A `[String]` field: absent or null is an empty list; a null item is refused, as protobuf refuses it. */
export function stringList(value: unknown, field: string): string[] {
  if (value === null || value === undefined) return [];
  const items = value as readonly unknown[];
  if (items.some((item) => typeof item !== 'string')) {
    throw invalidParameter(`Invalid value for parameter '${field}': every item must be a string, not null.`, {
      field,
    });
  }
  return items as string[];
}

/** An Int field, or undefined when null or absent. */
export const optionalInt = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;

/** A LongString input (an int64 as a number or a decimal string), or undefined when null or absent. */
export function optionalLong(value: unknown, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/u.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw invalidParameter(`Invalid value for parameter '${field}': it must be an integer.`, { field });
  }
  return number;
}
