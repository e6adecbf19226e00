import { z } from 'zod';

/** One component of a sort key: a number (NaN allowed), a string, or undefined for a missing value. */
export type SortValue = number | string | undefined;

/** A full sort key: one value per order clause, tiebreaks included. */
export type SortKey = readonly SortValue[];

/** 0 for an ordinary value, 1 for NaN, 2 for missing: both sort last in either direction, NaN first. */
function rank(value: SortValue): number {
  if (value === undefined) return 2;
  if (typeof value === 'number' && Number.isNaN(value)) return 1;
  return 0;
}

/** Compares two values of one clause; missing and NaN sort last whatever the direction. */
export function compareSortValues(left: SortValue, right: SortValue, ascending: boolean): number {
  const leftRank = rank(left);
  const rightRank = rank(right);
  if (leftRank !== rightRank) return leftRank - rightRank;
  if (leftRank !== 0) return 0;
  let order: number;
  if (typeof left === 'number' && typeof right === 'number') {
    order = left < right ? -1 : left > right ? 1 : 0;
  } else if (typeof left === 'string' && typeof right === 'string') {
    // Plain code-unit order (not locale order) so every store and every machine agree.
    order = left < right ? -1 : left > right ? 1 : 0;
  } else {
    // A key holds one type per clause; numbers first only keeps the order total if it ever does not.
    order = typeof left === 'number' ? -1 : 1;
  }
  return ascending ? order : -order;
}

/** Compares two sort keys clause by clause. */
export function compareSortKeys(left: SortKey, right: SortKey, ascending: readonly boolean[]): number {
  for (let index = 0; index < ascending.length; index += 1) {
    const order = compareSortValues(left[index], right[index], ascending[index] as boolean);
    if (order !== 0) return order;
  }
  return 0;
}

/** JSON has no NaN, Infinity or undefined, so those travel tagged. */
const encodedSortValueSchema = z.union([
  z.number(),
  z.string(),
  z.null(),
  z.object({ number: z.enum(['NaN', 'Infinity', '-Infinity']) }).strict(),
]);
export type EncodedSortValue = z.infer<typeof encodedSortValueSchema>;

/** The schema of an encoded sort key, for validating one read back from a page token. */
export const encodedSortKeySchema = z.array(encodedSortValueSchema);

/** Turns a sort key into JSON-safe values. */
export function encodeSortKey(key: SortKey): EncodedSortValue[] {
  return key.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return { number: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
    }
    return value;
  });
}

/** The inverse of {@link encodeSortKey}. */
export function decodeSortKey(encoded: readonly EncodedSortValue[]): SortValue[] {
  return encoded.map((value) => {
    if (value === null) return undefined;
    if (typeof value === 'object') return Number(value.number);
    return value;
  });
}
