import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// The test S3 server helper is a second entry so the store's own bundle carries no child_process code.
export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } }),
);
