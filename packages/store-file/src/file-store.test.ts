import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeArtifactStore, describeRegistryStore, describeTrackingStore } from '@cairn/testkit';
import { createFileArtifactStore } from './file-artifact-store.js';
import { createFileRegistryStore } from './file-registry-store.js';
import { createFileTrackingStore } from './file-tracking-store.js';

const base = mkdtempSync(join(tmpdir(), 'cairn-store-file-'));
let count = 0;
const freshDir = () => join(base, String(++count));

describeTrackingStore('file', () => createFileTrackingStore({ root: freshDir() }));
describeArtifactStore('file', () => createFileArtifactStore({ root: freshDir() }));
describeRegistryStore('file', () => createFileRegistryStore({ root: freshDir() }));
