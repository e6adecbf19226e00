import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type ArtifactStore,
  doesNotExist,
  type FileInfo,
  invalidParameter,
  normaliseArtifactPath,
} from '@cairn/core';
import { isMissingObject, s3Failure } from './s3-errors.js';
import {
  loadPresignerSdk,
  loadS3Sdk,
  loadStorageSdk,
  type S3ConnectionOptions,
  sharedS3Client,
} from './s3-sdk.js';
import { uploadStream } from './s3-stream-upload.js';
import { encodeCopySource, parseS3Uri } from './s3-uri.js';

/** Options of {@link createS3ArtifactStore}. */
export interface S3ArtifactStoreOptions extends S3ConnectionOptions {
  /** Where the store is rooted: `s3://bucket/prefix`. */
  uri: string;
  /** A client to use instead of one built from the connection options (it is never destroyed by the store). */
  client?: S3Client;
  /** Bodies are uploaded in parts of this size (S3's minimum is 5 MiB). Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded at once per file. Default 4. */
  queueSize?: number;
  /** Lifetime of the part URLs {@link ArtifactStore.createMultipartUpload} hands out. Default 3600 s. */
  multipartUrlExpiresInSeconds?: number;
}

const minimumPartSize = 5 * 1024 * 1024;
const maximumParts = 10_000;
const deleteBatchSize = 1000;

const compareText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

const toBytes = (body: string | Uint8Array): Uint8Array =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body;

/** Extra arguments for every upload, as MLflow's `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (JSON, e.g. ServerSideEncryption). */
function uploadExtraArgs(env: Record<string, string | undefined>): Record<string, string> {
  const raw = env.MLFLOW_S3_UPLOAD_EXTRA_ARGS;
  if (raw === undefined || raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
  } catch {
    // Reported below with the variable's name.
  }
  throw invalidParameter('MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object', {
    field: 'MLFLOW_S3_UPLOAD_EXTRA_ARGS',
  });
}

/**
 * An artifact store on S3 or any S3-compatible service, rooted at `s3://bucket/prefix`. The AWS SDK is
 * loaded on first use. In-memory bodies go up through `@aws-sdk/lib-storage`, streamed bodies through a
 * fixed pool of part buffers (see `uploadStream`), both in parts (a failed upload is aborted, so nothing
 * half-written becomes visible); downloads stream the response body; listings page through
 * ListObjectsV2 with `/` as delimiter; deletes of a tree go in batches of 1000 keys.
 */
export function createS3ArtifactStore(options: S3ArtifactStoreOptions): ArtifactStore {
  const { bucket, prefix } = parseS3Uri(options.uri);
  const partSize = options.partSizeBytes ?? 8 * 1024 * 1024;
  if (!Number.isInteger(partSize) || partSize < minimumPartSize) {
    throw invalidParameter(
      `partSizeBytes must be an integer of at least ${minimumPartSize} (S3's minimum part size)`,
      {
        field: 'partSizeBytes',
      },
    );
  }
  const queueSize = options.queueSize ?? 4;
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw invalidParameter('queueSize must be a positive integer', { field: 'queueSize' });
  }
  const env = options.env ?? process.env;
  const extraArgs = uploadExtraArgs(env);
  const rootUri = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  const client = (): Promise<S3Client> =>
    options.client !== undefined ? Promise.resolve(options.client) : sharedS3Client(options);
  const presignClient = (): Promise<S3Client> =>
    options.client !== undefined ? Promise.resolve(options.client) : sharedS3Client(options, 'presign');

  const keyOf = (relative: string) =>
    prefix === '' ? relative : relative === '' ? prefix : `${prefix}/${relative}`;
  /** The key prefix of everything inside a directory (`''` for the bucket root). */
  const dirPrefix = (relative: string) => {
    const key = keyOf(relative);
    return key === '' ? '' : `${key}/`;
  };
  const relativeOf = (key: string) => (prefix === '' ? key : key.slice(prefix.length + 1));
  const uriOf = (relative: string) => (relative === '' ? rootUri : `${rootUri}/${relative}`);

  const filePath = (path: string, field = 'path') => {
    const relative = normaliseArtifactPath(path, field);
    if (relative === '') throw invalidParameter('The artifact root is a directory, not a file', { field });
    return relative;
  };

  /** Every key under a directory, page by page (1000 at most per page). */
  async function* keysUnder(relative: string): AsyncGenerator<string[]> {
    const { ListObjectsV2Command } = await loadS3Sdk();
    const s3 = await client();
    let token: string | undefined;
    do {
      const page = await s3
        .send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dirPrefix(relative), ContinuationToken: token }),
        )
        .catch((error: unknown) => {
          throw s3Failure(error, 'ListObjectsV2', uriOf(relative));
        });
      const keys = (page.Contents ?? []).flatMap((item) => (item.Key === undefined ? [] : [item.Key]));
      if (keys.length > 0) yield keys;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  const headFile = async (relative: string): Promise<FileInfo | undefined> => {
    const { HeadObjectCommand } = await loadS3Sdk();
    try {
      const head = await (await client()).send(
        new HeadObjectCommand({ Bucket: bucket, Key: keyOf(relative) }),
      );
      return { path: relative, is_dir: false, file_size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw s3Failure(error, 'HeadObject', uriOf(relative));
    }
  };

  const isDirectory = async (relative: string): Promise<boolean> => {
    const { ListObjectsV2Command } = await loadS3Sdk();
    const page = await (await client())
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: dirPrefix(relative), MaxKeys: 1 }))
      .catch((error: unknown) => {
        throw s3Failure(error, 'ListObjectsV2', uriOf(relative));
      });
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  };

  const store: ArtifactStore = {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: true, multipartUpload: true, serverSideCopy: true },
    rootUri,

    async put(path, body) {
      const relative = filePath(path);
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
        const [sdk, s3] = await Promise.all([loadS3Sdk(), client()]);
        await uploadStream({
          sdk,
          client: s3,
          bucket,
          key: keyOf(relative),
          target: uriOf(relative),
          body,
          partSize,
          queueSize,
          extraArgs,
        });
        return;
      }
      const [{ Upload }, s3] = await Promise.all([loadStorageSdk(), client()]);
      const upload = new Upload({
        client: s3,
        params: { ...extraArgs, Bucket: bucket, Key: keyOf(relative), Body: toBytes(body) },
        partSize,
        queueSize,
        // A failed multipart upload is aborted, so its parts neither linger (and cost) nor become visible.
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        throw s3Failure(error, 'upload', uriOf(relative));
      }
    },

    async get(path) {
      const relative = normaliseArtifactPath(path);
      const missing = () => doesNotExist(`No artifact file at '${path}' under ${rootUri}`, { field: 'path' });
      if (relative === '') throw missing();
      const { GetObjectCommand } = await loadS3Sdk();
      try {
        const response = await (await client()).send(
          new GetObjectCommand({ Bucket: bucket, Key: keyOf(relative) }),
        );
        const body = response.Body;
        if (body === undefined) return Readable.from([]);
        // In Node the body is an http.IncomingMessage: a Readable of Buffers, streamed as it arrives.
        return body as Readable;
      } catch (error) {
        if (isMissingObject(error)) throw missing();
        throw s3Failure(error, 'GetObject', uriOf(relative));
      }
    },

    async stat(path) {
      const relative = normaliseArtifactPath(path);
      if (relative === '') return (await isDirectory('')) ? { path: '', is_dir: true } : undefined;
      const [file, directory] = await Promise.all([headFile(relative), isDirectory(relative)]);
      if (file !== undefined) return file;
      return directory ? { path: relative, is_dir: true } : undefined;
    },

    async list(path) {
      const relative = normaliseArtifactPath(path);
      const { ListObjectsV2Command } = await loadS3Sdk();
      const s3 = await client();
      const listed = dirPrefix(relative);
      const entries = new Map<string, FileInfo>();
      let token: string | undefined;
      do {
        const page = await s3
          .send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: listed,
              Delimiter: '/',
              ContinuationToken: token,
            }),
          )
          .catch((error: unknown) => {
            throw s3Failure(error, 'ListObjectsV2', uriOf(relative));
          });
        for (const item of page.Contents ?? []) {
          // A key equal to the listed prefix is a console-made "folder" marker, not a file in it.
          if (item.Key === undefined || item.Key === listed) continue;
          const child = relativeOf(item.Key);
          entries.set(child, { path: child, is_dir: false, file_size: item.Size ?? 0 });
        }
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix === undefined) continue;
          const child = relativeOf(common.Prefix.slice(0, -1));
          // A stray `a//b` key yields an empty segment; it has no name to list.
          if (child === relative || child.endsWith('/')) continue;
          if (!entries.has(child)) entries.set(child, { path: child, is_dir: true });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return [...entries.values()].sort((left, right) => compareText(left.path, right.path));
    },

    async delete(path) {
      const relative = normaliseArtifactPath(path);
      const { DeleteObjectCommand, DeleteObjectsCommand } = await loadS3Sdk();
      const s3 = await client();
      if (relative !== '') {
        await s3
          .send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(relative) }))
          .catch((error: unknown) => {
            if (!isMissingObject(error)) throw s3Failure(error, 'DeleteObject', uriOf(relative));
          });
      }
      // Collect the whole listing first: deleting while paging would shift the continuation token's ground.
      const keys: string[] = [];
      for await (const page of keysUnder(relative)) keys.push(...page);
      for (let start = 0; start < keys.length; start += deleteBatchSize) {
        const batch = keys.slice(start, start + deleteBatchSize);
        const result = await s3
          .send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          )
          .catch((error: unknown) => {
            throw s3Failure(error, 'DeleteObjects', uriOf(relative));
          });
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw s3Failure(
            {
              name: first?.Code,
              message: `${failed.length} keys not deleted, first ${first?.Key}: ${first?.Message}`,
            },
            'DeleteObjects',
            uriOf(relative),
          );
        }
      }
    },

    async copy(from, to) {
      const source = filePath(from, 'from');
      const target = filePath(to, 'to');
      const { CopyObjectCommand } = await loadS3Sdk();
      try {
        await (await client()).send(
          new CopyObjectCommand({
            ...extraArgs,
            Bucket: bucket,
            Key: keyOf(target),
            CopySource: encodeCopySource(bucket, keyOf(source)),
          }),
        );
      } catch (error) {
        if (isMissingObject(error))
          throw doesNotExist(`No artifact file at '${from}' under ${rootUri}`, { field: 'from' });
        throw s3Failure(error, 'CopyObject', uriOf(source));
      }
    },

    async presign(path, { method, expiresInSeconds }) {
      const relative = filePath(path);
      const [{ GetObjectCommand, PutObjectCommand }, { getSignedUrl }, s3] = await Promise.all([
        loadS3Sdk(),
        loadPresignerSdk(),
        presignClient(),
      ]);
      const input = { Bucket: bucket, Key: keyOf(relative) };
      const command = method === 'GET' ? new GetObjectCommand(input) : new PutObjectCommand(input);
      return getSignedUrl(s3, command, { expiresIn: expiresInSeconds });
    },

    async createMultipartUpload(path, partCount) {
      const relative = filePath(path);
      if (!Number.isInteger(partCount) || partCount < 1 || partCount > maximumParts) {
        throw invalidParameter(`partCount must be an integer from 1 to ${maximumParts}, got ${partCount}`, {
          field: 'partCount',
        });
      }
      const [{ CreateMultipartUploadCommand, UploadPartCommand }, { getSignedUrl }, s3, signer] =
        await Promise.all([loadS3Sdk(), loadPresignerSdk(), client(), presignClient()]);
      const key = keyOf(relative);
      const created = await s3
        .send(new CreateMultipartUploadCommand({ ...extraArgs, Bucket: bucket, Key: key }))
        .catch((error: unknown) => {
          throw s3Failure(error, 'CreateMultipartUpload', uriOf(relative));
        });
      const uploadId = created.UploadId;
      if (uploadId === undefined)
        throw s3Failure(new Error('no UploadId in the answer'), 'CreateMultipartUpload', uriOf(relative));
      const expiresIn = options.multipartUrlExpiresInSeconds ?? 3600;
      const parts = await Promise.all(
        Array.from({ length: partCount }, async (_, index) => ({
          partNumber: index + 1,
          url: await getSignedUrl(
            signer,
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1 }),
            { expiresIn },
          ),
          headers: {},
        })),
      );
      return { uploadId, parts };
    },

    async completeMultipartUpload(path, uploadId, parts) {
      const relative = filePath(path);
      const { CompleteMultipartUploadCommand } = await loadS3Sdk();
      const ordered = [...parts].sort((left, right) => left.partNumber - right.partNumber);
      await (await client())
        .send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: keyOf(relative),
            UploadId: uploadId,
            MultipartUpload: {
              Parts: ordered.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
            },
          }),
        )
        .catch((error: unknown) => {
          throw s3Failure(error, 'CompleteMultipartUpload', uriOf(relative));
        });
    },

    async abortMultipartUpload(path, uploadId) {
      const relative = filePath(path);
      const { AbortMultipartUploadCommand } = await loadS3Sdk();
      await (await client())
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: keyOf(relative), UploadId: uploadId }))
        .catch((error: unknown) => {
          throw s3Failure(error, 'AbortMultipartUpload', uriOf(relative));
        });
    },
  };
  return store;
}
