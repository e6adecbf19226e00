export { memoryArtifactResolver } from './memory-artifact-resolver.js';
export type { MemoryArtifactStoreOptions } from './memory-artifact-store.js';
export { createMemoryArtifactStore } from './memory-artifact-store.js';
export { createMemoryRegistryStore } from './memory-registry-store.js';
export { createMemoryStorePlugin } from './memory-store-plugin.js';
export type { MemoryTrackingStoreOptions } from './memory-tracking-store.js';
export { createMemoryTrackingStore } from './memory-tracking-store.js';
export { createMemoryWebhookStore } from './memory-webhook-store.js';
