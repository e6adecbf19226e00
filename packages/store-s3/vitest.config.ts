import { defineProject } from 'vitest/config';

export default defineProject({
  // The suites share one S3 server per file; starting moto takes a second, so give hooks room.
  test: { name: 'store-s3', include: ['src/**/*.test.ts'], hookTimeout: 120_000, testTimeout: 60_000 },
});
