import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'store-file', include: ['src/**/*.test.ts'] },
});
