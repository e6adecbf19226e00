import { describe } from 'vitest';

/** Options shared by the `describe*Store` functions. */
export interface DescribeStoreOptions {
  /** Named suites to skip, each mapped to the reason (shown in the test report). */
  skip?: Record<string, string>;
}

/** Runs each named suite inside its own `describe`, skipping (with the reason in its title) those listed. */
export function describeNamedSuites<Context>(
  suites: ReadonlyArray<readonly [string, (context: Context) => void]>,
  context: Context,
  options: DescribeStoreOptions,
): void {
  const known = new Set(suites.map(([name]) => name));
  const unknown = Object.keys(options.skip ?? {}).filter((name) => !known.has(name));
  // A typo in a skip list would otherwise silently run (or silently skip nothing).
  if (unknown.length > 0) {
    throw new Error(`Unknown suite name(s) in skip: ${unknown.join(', ')}. Known: ${[...known].join(', ')}`);
  }
  for (const [name, suite] of suites) {
    const reason = options.skip?.[name];
    if (reason === undefined) describe(name, () => suite(context));
    // Reason: skipped on purpose by the store author, who must give the reason; it is printed in the title.
    else describe.skip(`${name} (skipped: ${reason})`, () => suite(context));
  }
}
