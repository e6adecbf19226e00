import { createRequire } from 'node:module';

/** This package's version, written into MLmodel files as `cairn_version` (src/ and dist/ both sit one level down). */
export const cairnVersion: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
