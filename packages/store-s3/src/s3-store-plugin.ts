import { parseArtifactUri, type StorePlugin } from '@cairn/core';
import { createS3ArtifactStore, type S3ArtifactStoreOptions } from './s3-artifact-store.js';

/** Options of {@link createS3StorePlugin}: everything of a store but its URI (an endpoint, part sizes...). */
export type S3StorePluginOptions = Omit<S3ArtifactStoreOptions, 'uri'>;

const isS3Uri = (uri: string) => parseArtifactUri(uri).scheme === 's3';

/**
 * A plugin for `s3://bucket/prefix` artifact URIs. What `options` leaves out comes from the environment as
 * MLflow reads it (`MLFLOW_S3_ENDPOINT_URL`, `MLFLOW_S3_IGNORE_TLS`, `AWS_*`): from `context.env` where the
 * caller gives one, else the process's. Opening a store loads nothing; the AWS SDK (optional peers) is
 * imported on the first request.
 */
export function createS3StorePlugin(options: S3StorePluginOptions = {}): StorePlugin {
  return {
    specificationVersion: 'v1',
    name: 's3',
    handles: isS3Uri,
    openArtifacts: (uri, context) => {
      const env = context.env;
      // The SDK's default credential chain reads the process's variables only; keys given in context.env
      // are passed to it explicitly.
      const credentials =
        env?.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? {
              credentials: {
                accessKeyId: env.AWS_ACCESS_KEY_ID,
                secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
                ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
              },
            }
          : {};
      return createS3ArtifactStore({
        ...(env === undefined ? {} : { env: { ...env }, ...credentials }),
        ...options,
        uri,
      });
    },
  };
}

/** {@link createS3StorePlugin} configured from the environment only. */
export const s3StorePlugin: StorePlugin = createS3StorePlugin();
