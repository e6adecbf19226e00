import { isAbsolute } from 'node:path';
import { type ArtifactStoreResolver, parseArtifactUri } from '@cairn/core';
import { createFileArtifactStore } from './file-artifact-store.js';

/** Opens local artifact stores for `file:` URIs and bare absolute paths; other schemes are not ours. */
export const fileArtifactResolver: ArtifactStoreResolver = (artifactUri) => {
  const parsed = parseArtifactUri(artifactUri);
  if (parsed.scheme !== 'file' || !isAbsolute(parsed.path)) return undefined;
  return createFileArtifactStore({ root: parsed.path });
};
