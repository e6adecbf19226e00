// The REST stores moved to @cairn/store-rest; re-exported so code importing them from here keeps working.
export type {
  RestArtifactStoreOptions,
  RestRegistryStoreOptions,
  RestTrackingStoreOptions,
  RestTransport,
  RestTransportOptions,
} from '@cairn/store-rest';
export {
  createRestArtifactResolver,
  createRestArtifactStore,
  createRestRegistryStore,
  createRestTrackingStore,
  createRestTransport,
  restStorePlugin,
} from '@cairn/store-rest';
export { downloadTree } from './artifact-transfer.js';
export type { CairnClientOptions, SearchRegistryOptions, TagRecord } from './cairn-client.js';
export { CairnClient, createCairnClient } from './cairn-client.js';
export {
  defaultStorePlugins,
  lazyFileStorePlugin,
  lazyS3StorePlugin,
  lazySqlStorePlugin,
} from './default-store-plugins.js';
export {
  activeRun,
  endRun,
  flush,
  getTrackingUri,
  loadModel,
  logArtifact,
  logArtifacts,
  logDict,
  logMetric,
  logMetrics,
  logModel,
  logParam,
  logParams,
  logText,
  registerModel,
  saveModel,
  setExperiment,
  setTag,
  setTags,
  setTrackingUri,
  startRun,
  withRun,
} from './fluent.js';
export type { MetricBatcherOptions, MetricSink } from './metric-batcher.js';
export { MetricBatcher } from './metric-batcher.js';
export type { GcPlan, GcSelection } from './plan-gc.js';
export { isUnresolvableArtifactUri, parseOlderThan, planGc } from './plan-gc.js';
export { currentUser, defaultRunTags, readGitState } from './system-tags.js';
export type { ActiveRun, StartRunOptions, TrackingOptions } from './tracking.js';
export { createTracking, Tracking } from './tracking.js';
export {
  defaultArtifactDirectory,
  defaultTrackingUri,
  hasMlrunsData,
  legacyTrackingUri,
  resolveTrackingUri,
} from './tracking-uri.js';
export type { TransferOptions, TransferProgress, TransferProgressCallback } from './transfer-progress.js';
