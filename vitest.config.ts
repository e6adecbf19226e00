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
  },
});
