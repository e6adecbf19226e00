export type { FaultAction, FaultProxy, ProxiedRequest } from './fault-proxy.js';
export { startFaultProxy } from './fault-proxy.js';
export type { TestS3ClientConfig, TestS3Server } from './moto-server.js';
export { freePort, motoServerExecutable, startTestS3Server } from './moto-server.js';
export type { MutableEnvironment } from './set-test-s3-environment.js';
export { setTestS3Environment } from './set-test-s3-environment.js';
