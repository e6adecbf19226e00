import { type ArtifactStoreResolver, parseArtifactUri } from '@cairn/core';
import { createS3ArtifactStore, type S3ArtifactStoreOptions } from './s3-artifact-store.js';

/**
 * A resolver for `s3://` URIs with fixed options (an endpoint, credentials, part size...); everything not
 * given comes from the environment as MLflow reads it.
 */
export function createS3ArtifactResolver(
  options: Omit<S3ArtifactStoreOptions, 'uri'> = {},
): ArtifactStoreResolver {
  return (artifactUri) =>
    parseArtifactUri(artifactUri).scheme === 's3'
      ? createS3ArtifactStore({ ...options, uri: artifactUri })
      : undefined;
}

/**
 * Opens S3 artifact stores for `s3://bucket/prefix` URIs, configured from the environment:
 * `MLFLOW_S3_ENDPOINT_URL`, `MLFLOW_S3_IGNORE_TLS`, `MLFLOW_S3_UPLOAD_EXTRA_ARGS` and the AWS SDK's default
 * chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`/`AWS_DEFAULT_REGION`, profiles...).
 * Opening a store loads nothing; the SDK is imported on the first request.
 */
export const s3ArtifactResolver: ArtifactStoreResolver = (artifactUri) =>
  parseArtifactUri(artifactUri).scheme === 's3' ? createS3ArtifactStore({ uri: artifactUri }) : undefined;
