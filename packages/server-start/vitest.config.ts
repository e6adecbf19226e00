import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'server-start', include: ['src/**/*.test.ts'], testTimeout: 30000 },
});
