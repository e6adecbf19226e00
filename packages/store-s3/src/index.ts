export { createS3ArtifactResolver, s3ArtifactResolver } from './s3-artifact-resolver.js';
export type { S3ArtifactStoreOptions } from './s3-artifact-store.js';
export { createS3ArtifactStore } from './s3-artifact-store.js';
export type { S3ConnectionOptions, S3Credentials } from './s3-sdk.js';
export { s3ClientConfig } from './s3-sdk.js';
export type { S3StorePluginOptions } from './s3-store-plugin.js';
export { createS3StorePlugin, s3StorePlugin } from './s3-store-plugin.js';
export type { S3Location } from './s3-uri.js';
export { parseS3Uri } from './s3-uri.js';
