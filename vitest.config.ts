import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests run against package sources through the "development" export condition,
// so no test waits for a build and stack traces point at .ts files.
const conditions = ['development', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  // Vitest hands the SSR conditions to Node as --conditions; with `import` among them Node 20.19+ lets
  // require() pick a CommonJS package's ESM wrapper (pg's), which breaks it. Node adds `import` to ESM
  // imports by itself, so leaving it out changes nothing else. `module` is a bundler-only condition: Node
  // given it loads the AWS SDK's `module` builds, whose extensionless imports it cannot resolve.
  ssr: {
    resolve: {
      conditions: conditions.filter((condition) => condition !== 'import' && condition !== 'module'),
      externalConditions: conditions.filter((condition) => condition !== 'import' && condition !== 'module'),
    },
  },
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
    reporters: ['default'],
    // Vitest runs one worker per core but one (a single worker on a 2-core machine), yet most of this suite's
    // time is spent waiting on other processes: Python's mlflow, PostgreSQL, MariaDB, Chromium, servers the
    // tests start. A worker per core overlaps those waits. CAIRN_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.CAIRN_TEST_WORKERS) || Math.max(2, availableParallelism()),
    // Every test's temporary files go under one directory that is removed when the run ends.
    globalSetup: ['./vitest.global-setup.ts'],
  },
});
