import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Vitest runs each test file in a fresh worker, so nothing else in this process has loaded the SDK.
const loadedSdkModules = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@aws-sdk'));

describe('lazy loading of the AWS SDK', () => {
  it('loads no SDK code to import the package and open stores, and loads it on the first request', async () => {
    const { createS3ArtifactStore, s3ArtifactResolver } = await import('./index.js');
    const store = s3ArtifactResolver('s3://bucket/prefix');
    createS3ArtifactStore({ uri: 's3://bucket/other', endpoint: 'http://127.0.0.1:9', env: {} });
    expect(store?.rootUri).toBe('s3://bucket/prefix');
    expect(loadedSdkModules()).toEqual([]);

    const { loadS3Sdk } = await import('./s3-sdk.js');
    await loadS3Sdk();
    expect(loadedSdkModules().some((path) => path.includes('client-s3'))).toBe(true);
  });

  it('validates options when the store is opened, before any SDK code runs', async () => {
    const { createS3ArtifactStore } = await import('./index.js');
    expect(() => createS3ArtifactStore({ uri: 'gs://bucket/x', env: {} })).toThrow(/expected s3:\/\//u);
    expect(() => createS3ArtifactStore({ uri: 's3://b', partSizeBytes: 1024, env: {} })).toThrow(
      /partSizeBytes/u,
    );
    expect(() => createS3ArtifactStore({ uri: 's3://b', queueSize: 0, env: {} })).toThrow(/queueSize/u);
    expect(() =>
      createS3ArtifactStore({ uri: 's3://b', env: { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' } }),
    ).toThrow(/MLFLOW_S3_UPLOAD_EXTRA_ARGS/u);
  });
});
