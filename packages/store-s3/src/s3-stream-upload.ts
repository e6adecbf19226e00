import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { s3Failure } from './s3-errors.js';
import type { S3Sdk } from './s3-sdk.js';

/** What {@link uploadStream} needs: where to write, the stream, and how to cut it. */
export interface StreamUploadOptions {
  sdk: S3Sdk;
  client: S3Client;
  bucket: string;
  key: string;
  /** The object's URI, for error messages. */
  target: string;
  body: AsyncIterable<Uint8Array>;
  partSize: number;
  /** Parts uploaded at once. */
  queueSize: number;
  /** Extra arguments for PutObject / CreateMultipartUpload (MLFLOW_S3_UPLOAD_EXTRA_ARGS). */
  extraArgs: Record<string, string>;
}

/**
 * Uploads a stream of unknown length to one key, reading it into a fixed pool of part-sized buffers: at
 * most `queueSize` parts in flight plus the one being filled, each buffer reused once its part is stored.
 * A body that fits one part goes up as one PutObject. A failure aborts the multipart upload, so nothing
 * half-written becomes visible and no parts linger.
 *
 * lib-storage, used for in-memory bodies, concatenates each streamed part into a new buffer; those buffers
 * live long enough to reach the old generation and are freed late, so a proxy streaming a large file grew
 * by over 100 MB. The pool bounds a streamed upload at `(queueSize + 1) * partSize`.
 */
export async function uploadStream(options: StreamUploadOptions): Promise<void> {
  const { sdk, client: s3, bucket, key, target, partSize, queueSize, extraArgs } = options;
  const free: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  const completed: CompletedPart[] = [];
  let failure: unknown;
  let uploadId: string | undefined;
  let partNumber = 0;
  const checksums = (await s3.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED';

  // At most queueSize buffers are in flight and one is being filled, so the pool never outgrows queueSize + 1.
  const takeBuffer = (): Buffer => free.pop() ?? Buffer.allocUnsafe(partSize);

  const sendPart = async (buffer: Buffer, length: number) => {
    if (uploadId === undefined) {
      const created = await s3
        .send(
          new sdk.CreateMultipartUploadCommand({
            ...extraArgs,
            Bucket: bucket,
            Key: key,
            ...(checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw s3Failure(error, 'CreateMultipartUpload', target);
        });
      if (created.UploadId === undefined)
        throw s3Failure(new Error('no UploadId in the answer'), 'CreateMultipartUpload', target);
      uploadId = created.UploadId;
    }
    // Wait for a slot: at most queueSize parts travel at once.
    while (inFlight.size >= queueSize) await Promise.race(inFlight);
    if (failure !== undefined) return;
    partNumber += 1;
    const number = partNumber;
    const id = uploadId;
    const task = s3
      .send(
        new sdk.UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: id,
          PartNumber: number,
          Body: buffer.subarray(0, length),
          ContentLength: length,
        }),
      )
      .then(
        (answer) => {
          if (answer.ETag === undefined) throw new Error(`no ETag in the answer for part ${number}`);
          completed.push({
            PartNumber: number,
            ETag: answer.ETag,
            ...(answer.ChecksumCRC32 ? { ChecksumCRC32: answer.ChecksumCRC32 } : {}),
          });
          free.push(buffer);
        },
        (error: unknown) => {
          throw s3Failure(error, `UploadPart ${number}`, target);
        },
      )
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        inFlight.delete(task);
      });
    inFlight.add(task);
  };

  let current = takeBuffer();
  let filled = 0;
  try {
    for await (const chunk of options.body) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (failure !== undefined) throw failure;
        if (filled === partSize) {
          // A full buffer is sent only once more bytes arrive, so a body of exactly one part is a PutObject.
          await sendPart(current, filled);
          if (failure !== undefined) throw failure;
          current = takeBuffer();
          filled = 0;
        }
        const count = Math.min(partSize - filled, chunk.byteLength - offset);
        current.set(chunk.subarray(offset, offset + count), filled);
        filled += count;
        offset += count;
      }
    }
    if (uploadId === undefined) {
      await s3
        .send(
          new sdk.PutObjectCommand({
            ...extraArgs,
            Bucket: bucket,
            Key: key,
            Body: current.subarray(0, filled),
            ContentLength: filled,
          }),
        )
        .catch((error: unknown) => {
          throw s3Failure(error, 'PutObject', target);
        });
      return;
    }
    await sendPart(current, filled);
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    completed.sort((left, right) => (left.PartNumber ?? 0) - (right.PartNumber ?? 0));
    await s3
      .send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: completed },
        }),
      )
      .catch((error: unknown) => {
        throw s3Failure(error, 'CompleteMultipartUpload', target);
      });
  } catch (error) {
    failure ??= error;
    // Let parts in flight settle before aborting, or one could land after the abort and linger.
    await Promise.allSettled([...inFlight]);
    if (uploadId !== undefined) {
      await s3
        .send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => {
          // The upload failed already; that failure is the one to report.
        });
    }
    throw s3Failure(failure, 'upload', target);
  }
}
