export type { ArtifactSuiteContext, ArtifactSuiteName } from './artifacts/describe-artifact-store.js';
export { artifactSuiteNames, describeArtifactStore } from './artifacts/describe-artifact-store.js';
export { expectCairnError } from './expect-cairn-error.js';
export type { DescribeStoreOptions } from './named-suites.js';
export { chunked, collectBytes, collectText, patternBytes } from './stream-helpers.js';
export type { TrackingSuiteName } from './tracking/describe-tracking-store.js';
export { describeTrackingStore, trackingSuiteNames } from './tracking/describe-tracking-store.js';
export type { TrackingSuiteContext } from './tracking/tracking-context.js';
export { createTrackingContext, datasetInput, metric, uniqueName } from './tracking/tracking-context.js';
