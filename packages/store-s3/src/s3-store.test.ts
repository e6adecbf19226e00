import { describeArtifactStore } from '@cairn/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createS3ArtifactStore } from './s3-artifact-store.js';
import { startTestS3Server, type TestS3Server } from './testing/moto-server.js';

let server: TestS3Server | undefined;
let counter = 0;

beforeAll(async () => {
  server = await startTestS3Server();
  await server.createBucket('conformance');
});

afterAll(async () => {
  await server?.stop();
});

const running = () => {
  if (server === undefined) throw new Error('the test S3 server is not running');
  return server;
};

// Every test gets a fresh prefix in one bucket: the same isolation a run's artifact root has in production.
describeArtifactStore('s3 (moto server, path-style)', () => {
  counter += 1;
  const { endpoint, credentials } = running();
  return createS3ArtifactStore({
    uri: `s3://conformance/tests/${counter}/artifacts`,
    endpoint,
    credentials,
    env: {},
  });
});

describeArtifactStore('s3 (moto server, bucket root)', async () => {
  counter += 1;
  const { endpoint, credentials } = running();
  await running().createBucket(`root-${counter}`);
  return createS3ArtifactStore({ uri: `s3://root-${counter}`, endpoint, credentials, env: {} });
});
