export type { FaultAction, FaultProxy, ProxiedRequest } from './fault-proxy.js';
export { startFaultProxy } from './fault-proxy.js';
export type { TestS3Server } from './moto-server.js';
export { freePort, motoServerExecutable, startTestS3Server } from './moto-server.js';
