export type { RestArtifactStoreOptions } from './rest-artifact-store.js';
export {
  artifactProxyPath,
  createRestArtifactResolver,
  createRestArtifactStore,
  restArtifactResolver,
  setArtifactProxyServer,
} from './rest-artifact-store.js';
export type { RestRegistryStoreOptions } from './rest-registry-store.js';
export { createRestRegistryStore } from './rest-registry-store.js';
export type { RestTrackingStoreOptions } from './rest-tracking-store.js';
export { createRestTrackingStore } from './rest-tracking-store.js';
export type { QueryValue, RestTransport, RestTransportOptions } from './rest-transport.js';
export { authorizationHeader, createRestTransport, retrySettings } from './rest-transport.js';
