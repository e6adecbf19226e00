export type { TestS3Server } from './moto-server.js';
export { freePort, motoServerExecutable, startTestS3Server } from './moto-server.js';
