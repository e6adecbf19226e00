import { toCairnError } from '@cairn/core';

/**
 * The same store, with every method's driver failures (connection refused, a timeout...) turned into
 * `CairnError`s, as the contract requires; the original error stays as the cause.
 */
export function withCairnErrors<Store extends object>(store: Store): Store {
  const wrapped: Record<string, unknown> = { ...(store as Record<string, unknown>) };
  for (const [name, member] of Object.entries(store)) {
    if (typeof member !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (member as (...parameters: unknown[]) => Promise<unknown>).apply(store, args);
      } catch (error) {
        throw toCairnError(error);
      }
    };
  }
  return wrapped as unknown as Store;
}
