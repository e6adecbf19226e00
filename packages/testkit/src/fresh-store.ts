import { afterEach, beforeEach } from 'vitest';

/** A store the kit may close: every contract's store has `close()`, an artifact store may. */
interface MaybeClosable {
  close?: () => Promise<void>;
}

/**
 * Gives each test of the enclosing `describe` a store of its own: `factory` runs before every test, and the
 * store it made is closed (when it has `close()`) after the test, even one that failed. Returns the getter
 * the suites call; calling it outside a test throws, naming `kind`.
 */
export function useFreshStore<Store extends object>(
  kind: string,
  factory: () => Store | Promise<Store>,
): () => Store {
  let current: Store | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    const store = current as (Store & MaybeClosable) | undefined;
    current = undefined;
    await store?.close?.();
  });
  return () => {
    if (current === undefined) throw new Error(`The ${kind} store is only available inside a test`);
    return current;
  };
}
