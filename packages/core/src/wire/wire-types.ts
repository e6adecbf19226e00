import { z } from 'zod';
import { enumFromWire } from '../entities/enums.js';

// MLflow's wire follows protobuf's JSON rules: int64 may arrive as a number or a decimal string,
// doubles may be "NaN"/"Infinity"/"-Infinity", enums may be names or numbers, and a GET query string
// carries every value as a string, with a repeated field as repeated keys (one key = a one-item list).

/** The first value when a query string repeats a scalar key. */
const firstOf = (value: unknown) => (Array.isArray(value) ? value[0] : value);

/** A string field. */
export const wireString = () => z.preprocess(firstOf, z.string());

/** An int64 field: a safe integer given as a number or a decimal string. */
export const wireInt64 = () =>
  z.preprocess(
    firstOf,
    z
      .union([z.number().int(), z.string().regex(/^-?\d+$/u, 'an integer')], { error: 'an integer' })
      .transform((value) => Number(value))
      .pipe(z.number().int().refine(Number.isSafeInteger, 'a safe integer')),
  );

const specialDoubles: Record<string, number> = {
  NaN: Number.NaN,
  nan: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};

/** A double field: a number, a numeric string, or one of the strings protobuf uses for NaN and infinities. */
export const wireDouble = () =>
  z.preprocess(
    firstOf,
    z.union([z.number(), z.string()]).transform((value, context) => {
      if (typeof value === 'number') return value;
      const special = specialDoubles[value];
      if (special !== undefined) return special;
      const parsed = value.trim() === '' ? Number.NaN : Number(value);
      if (Number.isNaN(parsed)) {
        context.addIssue({ code: 'custom', message: 'a number, "NaN", "Infinity" or "-Infinity"' });
        return z.NEVER;
      }
      return parsed;
    }),
  );

/** A bool field: true/false, or "true"/"false" in any case (how GET query strings carry them). */
export const wireBool = () =>
  z.preprocess(
    firstOf,
    z.union([z.boolean(), z.string()]).transform((value, context) => {
      if (typeof value === 'boolean') return value;
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      context.addIssue({ code: 'custom', message: "'true' or 'false'" });
      return z.NEVER;
    }),
  );

/** A repeated field: a JSON array, or one or more query-string keys. */
export const wireRepeated = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (value === undefined || Array.isArray(value) ? value : [value]), z.array(item));

/** An enum field given by name (as MLflow sends it) or by proto number. */
export const wireEnum = <T extends string>(numbers: Record<T, number>) => {
  const names = Object.keys(numbers) as [T, ...T[]];
  return z.preprocess((value) => enumFromWire(numbers, firstOf(value)) ?? firstOf(value), z.enum(names));
};

/** A `{key, value}` pair as MLflow sends params and tags (a missing value reads as ''). */
export const wireKeyValue = () =>
  z.object({ key: z.string(), value: z.preprocess((value) => value ?? '', z.string()) });

/** A repeated field in a response: protobuf JSON omits an empty list, so absent (or null) reads as []. */
export const wireList = <T extends z.ZodType>(item: T) => z.preprocess((value) => value ?? [], z.array(item));

/** A string field protobuf JSON may omit when empty: absent reads as ''. */
export const wireText = () => z.preprocess((value) => value ?? '', z.string());
