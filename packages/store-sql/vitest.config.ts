import { defineProject } from 'vitest/config';

export default defineProject({
  // Server-backed suites create a database each, which can take longer than vitest's 5 s default.
  test: { name: 'store-sql', include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
