import { describeStorePlugin } from '@cairn/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3StorePlugin, s3StorePlugin } from './s3-store-plugin.js';
import { startTestS3Server, type TestS3Server } from './testing/moto-server.js';

let server: TestS3Server | undefined;
let counter = 0;

beforeAll(async () => {
  server = await startTestS3Server();
  await server.createBucket('plugin');
});

afterAll(async () => {
  await server?.stop();
});

// Configured only by context.env, as a client or server hands MLflow's variables to the plugin.
describeStorePlugin(s3StorePlugin, {
  artifactUri: () => `s3://plugin/tests/${++counter}/artifacts`,
  context: () => {
    if (server === undefined) throw new Error('the test S3 server is not running');
    return { env: server.env };
  },
});

describe('createS3StorePlugin', () => {
  it('opens s3:// only, with its options over the environment', () => {
    const plugin = createS3StorePlugin({ partSizeBytes: 5 * 1024 * 1024 });
    expect(plugin.handles('s3://bucket/prefix')).toBe(true);
    expect(plugin.handles('file:///tmp/x')).toBe(false);
    expect(plugin.openTracking).toBeUndefined();
  });
});
