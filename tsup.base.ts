import type { Options } from 'tsup';

/**
 * The build every package shares: ESM for Node 20 with declarations and source maps. A package's
 * tsup.config.ts passes only what differs (extra entries for a bin, say).
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  };
}
