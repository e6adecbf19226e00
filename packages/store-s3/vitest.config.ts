import { defineProject } from 'vitest/config';

export default defineProject({
  // The suites share one S3 server per file; starting moto takes a second, and a fresh machine first installs it into a venv (about half a minute).
  test: { name: 'store-s3', include: ['src/**/*.test.ts'], hookTimeout: 300_000, testTimeout: 60_000 },
});
