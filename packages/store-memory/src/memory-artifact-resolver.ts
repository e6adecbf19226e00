import type { ArtifactStoreResolver } from '@cairn/core';
import { createMemoryArtifactStore } from './memory-artifact-store.js';

/** Opens a memory artifact store for `memory://` URIs (the ones the memory tracking store hands out). */
export const memoryArtifactResolver: ArtifactStoreResolver = (artifactUri) =>
  artifactUri.startsWith('memory://') ? createMemoryArtifactStore({ rootUri: artifactUri }) : undefined;
