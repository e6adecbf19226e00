import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// `wire` is a subpath of its own (`@cairn/core/wire`), so code that needs only the contracts never loads it.
export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts', 'wire/index': 'src/wire/index.ts' } }),
);
