import { describeArtifactStore, describeRegistryStore, describeTrackingStore } from '@cairn/testkit';
import { createMemoryArtifactStore } from './memory-artifact-store.js';
import { createMemoryRegistryStore } from './memory-registry-store.js';
import { createMemoryTrackingStore } from './memory-tracking-store.js';

describeTrackingStore('memory', () => createMemoryTrackingStore());

describeRegistryStore('memory', () => createMemoryRegistryStore());

let root = 0;
// Files are shared per URI across the process, so each test gets its own root.
describeArtifactStore('memory', () =>
  createMemoryArtifactStore({ rootUri: `memory://conformance/${++root}` }),
);
