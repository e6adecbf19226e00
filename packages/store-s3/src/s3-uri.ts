import { invalidParameter } from '@cairn/core';

/** An `s3://bucket/prefix` URI split into its bucket and key prefix (no leading or trailing `/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Splits an `s3://bucket/prefix` URI; INVALID_PARAMETER_VALUE for any other scheme or a missing bucket. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/iu.exec(uri.trim());
  if (match === null || match[1] === undefined) {
    throw invalidParameter(`Invalid S3 URI '${uri}': expected s3://<bucket>/<prefix>`, { field: 'uri' });
  }
  const prefix = (match[2] ?? '')
    .split('/')
    .filter((segment) => segment !== '')
    .join('/');
  return { bucket: match[1], prefix };
}

/** Encodes a key for `CopySource` (`bucket/key`), which S3 expects URL-encoded segment by segment. */
export function encodeCopySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
