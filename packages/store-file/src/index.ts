export { fileArtifactResolver } from './file-artifact-resolver.js';
export type { FileArtifactStoreOptions } from './file-artifact-store.js';
export { createFileArtifactStore } from './file-artifact-store.js';
export type { FileRegistryStoreOptions } from './file-registry-store.js';
export { createFileRegistryStore } from './file-registry-store.js';
export { fileStorePlugin } from './file-store-plugin.js';
export type { FileTrackingStoreOptions } from './file-tracking-store.js';
export { createFileTrackingStore } from './file-tracking-store.js';
