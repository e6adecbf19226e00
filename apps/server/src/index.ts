export type { ServerStores } from './open-stores.js';
export { openServerStores } from './open-stores.js';
export type { ServerCommandIo } from './server-command.js';
export { createServerCommand } from './server-command.js';
export type { ServerOptions, ServerOptionsInput } from './server-options.js';
export { resolveServerOptions, serverOptionsFromEnv, serverOptionsSchema } from './server-options.js';
export type { RunningServer } from './start-server.js';
export { startServer } from './start-server.js';
