import { CairnError, toCairnError } from '@cairn/core';

/** Node's socket failures: nothing answered at the database's address. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** The drivers' answers to a connection the server refused: PostgreSQL SQLSTATEs and MySQL error names. */
const refusedCodes: Readonly<Record<string, string>> = {
  '28P01': 'the password was refused',
  '28000': 'the user is not allowed to connect',
  '3D000': 'the database does not exist',
  ER_ACCESS_DENIED_ERROR: 'the user or password was refused',
  ER_BAD_DB_ERROR: 'the database does not exist',
  ER_DBACCESS_DENIED_ERROR: 'the user may not use this database',
};

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** AggregateError (Node's happy-eyeballs connect) keeps the socket failure in `errors`. */
const causes = (error: unknown): unknown[] =>
  error instanceof AggregateError ? [error, ...error.errors] : [error];

/**
 * Turns a driver failure into a CairnError. A database that cannot be reached or refuses the connection
 * is TEMPORARILY_UNAVAILABLE (503, which MLflow's client retries) with a message naming the database (its
 * password hidden) and what to check, instead of a bare `connect ECONNREFUSED`.
 */
export function sqlErrorToCairnError(error: unknown, displayUri: string): CairnError {
  if (CairnError.isInstance(error)) return error;
  for (const candidate of causes(error)) {
    const code = errorCode(candidate);
    if (code === undefined) continue;
    const detail = candidate instanceof Error && candidate.message !== '' ? candidate.message : code;
    if (unreachableCodes.has(code)) {
      return new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        `Cannot reach the database at ${displayUri} (${detail}): check that its server is running and that the host and port in the URI are right`,
        { cause: error, details: { field: 'backend_store_uri' } },
      );
    }
    const refused = refusedCodes[code];
    if (refused !== undefined) {
      return new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        `Cannot connect to the database at ${displayUri}: ${refused} (${detail})`,
        { cause: error, details: { field: 'backend_store_uri' } },
      );
    }
  }
  return toCairnError(error);
}

/**
 * The same store, with every method's driver failures (connection refused, a timeout...) turned into
 * `CairnError`s, as the contract requires; the original error stays as the cause.
 */
export function withCairnErrors<Store extends object>(store: Store, displayUri: string): Store {
  const wrapped: Record<string, unknown> = { ...(store as Record<string, unknown>) };
  for (const [name, member] of Object.entries(store)) {
    if (typeof member !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (member as (...parameters: unknown[]) => Promise<unknown>).apply(store, args);
      } catch (error) {
        throw sqlErrorToCairnError(error, displayUri);
      }
    };
  }
  return wrapped as unknown as Store;
}
