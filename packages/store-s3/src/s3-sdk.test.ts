import { describe, expect, it } from 'vitest';
import { s3ClientConfig } from './s3-sdk.js';

describe('S3 client configuration from MLflow and AWS variables', () => {
  it('reads MLFLOW_S3_ENDPOINT_URL, AWS_DEFAULT_REGION and AWS_MAX_ATTEMPTS, with path-style for custom endpoints', () => {
    const config = s3ClientConfig({
      env: {
        MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_MAX_ATTEMPTS: '7',
      },
    });
    expect(config).toMatchObject({
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      maxAttempts: 7,
    });
  });

  it('prefers AWS_REGION, uses virtual-hosted style on AWS, and lets options win over the environment', () => {
    expect(
      s3ClientConfig({ env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' } }),
    ).toMatchObject({
      region: 'us-west-2',
      forcePathStyle: false,
      maxAttempts: 5,
    });
    expect(
      s3ClientConfig({ endpoint: 'https://r2.example', forcePathStyle: false, region: 'auto', env: {} }),
    ).toMatchObject({ endpoint: 'https://r2.example', forcePathStyle: false, region: 'auto' });
  });

  it('turns MLFLOW_S3_IGNORE_TLS into an HTTPS agent that accepts any certificate', () => {
    const handler = (env: Record<string, string>) =>
      s3ClientConfig({ env }).requestHandler as {
        httpsAgent?: { options: { rejectUnauthorized?: boolean } };
      };
    expect(handler({ MLFLOW_S3_IGNORE_TLS: 'true' }).httpsAgent?.options.rejectUnauthorized).toBe(false);
    expect(handler({ MLFLOW_S3_IGNORE_TLS: 'false' }).httpsAgent).toBeUndefined();
    expect(handler({}).httpsAgent).toBeUndefined();
  });
});
