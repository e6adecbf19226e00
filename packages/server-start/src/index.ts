export { clusterWriteLock, serveClusterWriteLock } from './cluster-write-lock.js';
export type { ServerStoreOptions, ServerStores } from './open-server-stores.js';
export { openArtifactsDestination, openServerStores, serverStorePlugins } from './open-server-stores.js';
export type { ServerCommandIo, ServerCommandOptions } from './server-command.js';
export { createServerCommand } from './server-command.js';
export type { ServerOptions, ServerOptionsInput } from './server-options.js';
export { resolveServerOptions, serverOptionsFromEnv, serverOptionsSchema } from './server-options.js';
export type { RunningServer } from './start-server.js';
export { startServer } from './start-server.js';
