import { CairnError } from '../errors.js';

/** Which grammar an error belongs to; it prefixes the message so a user knows which argument to fix. */
export type SearchGrammar = 'filter' | 'order_by';

/**
 * The one error the search grammar throws: INVALID_PARAMETER_VALUE naming the offending token and its
 * zero-based position, with both repeated in `details` so a UI can underline the spot.
 */
export function searchSyntaxError(
  grammar: SearchGrammar,
  reason: string,
  token: string,
  position: number,
): CairnError {
  const near = token === '' ? 'at the end of the input' : `'${token}'`;
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Invalid ${grammar} at position ${position} (${near}): ${reason}`,
    { details: { position, token } },
  );
}
