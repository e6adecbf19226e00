export type { ArtifactOpener } from './artifact-roots.js';
export { createArtifactOpener, mlflowArtifactsPath, prefixedArtifactStore } from './artifact-roots.js';
export type { CreateServerOptions } from './create-server.js';
export { createServer, isHostAllowed, mlflowProtocolVersion } from './create-server.js';
export { multipartUnsupportedMessage } from './routes/artifact-proxy-routes.js';
export { logBatchBodyLimit } from './routes/run-routes.js';
export type { BackendStoreType } from './routes/server-info-route.js';
