import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'store-rest', include: ['src/**/*.test.ts'] },
});
