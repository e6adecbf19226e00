import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// The search shapes and seeding helpers are a second entry, so the store's own bundle carries none of them.
export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } }),
);
