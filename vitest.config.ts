import { defineConfig } from 'vitest/config';

// Tests run against package sources through the "development" export condition,
// so no test waits for a build and stack traces point at .ts files.
const conditions = ['development', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
    reporters: ['default'],
  },
});
