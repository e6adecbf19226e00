import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// `webhooks` is a subpath of its own (`@cairn/registry/webhooks`): it needs Node's HTTP, DNS and crypto,
// and the root stays loadable in browsers.
export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts', 'webhooks/index': 'src/webhooks/index.ts' } }),
);
