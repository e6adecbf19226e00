import type { FileInfo } from '../entities/tracking.js';

/** Bytes to store: a whole buffer, a string (UTF-8), or a stream of chunks (a Node Readable or a web ReadableStream). */
export type ArtifactBody = Uint8Array | string | AsyncIterable<Uint8Array>;

/** What an artifact store can do beyond the required surface. */
export interface ArtifactStoreCapabilities {
  /** {@link ArtifactStore.presign} is implemented. */
  readonly presignedUrls: boolean;
  /** {@link ArtifactStore.createMultipartUpload} and friends are implemented. */
  readonly multipartUpload: boolean;
  /** {@link ArtifactStore.copy} runs inside the backend without streaming through the caller. */
  readonly serverSideCopy: boolean;
}

/** A multipart upload in progress. */
export interface MultipartUpload {
  uploadId: string;
  /** One presigned URL per part, in part order. */
  parts: { partNumber: number; url: string; headers: Record<string, string> }[];
}

/**
 * The contract every artifact backend implements. A store is rooted at one artifact URI (a run's
 * `artifact_uri`, an experiment's location, or a server's artifact root); every `path` is relative to that
 * root, uses `/` separators, and is confined to it (`..`, absolute paths and encoded separators fail with
 * INVALID_PARAMETER_VALUE). `''` is the root. Prove an implementation with `describeArtifactStore`.
 */
export interface ArtifactStore {
  /** The version of this contract the store implements. */
  readonly specificationVersion: 'v1';
  /** What the store supports beyond the required surface. */
  readonly capabilities: ArtifactStoreCapabilities;
  /** The artifact URI this store is rooted at. */
  readonly rootUri: string;

  /** Writes a file, streaming the body; intermediate directories are implied. A failed write leaves no partial file. */
  put(path: string, body: ArtifactBody): Promise<void>;
  /** Streams a file's bytes; RESOURCE_DOES_NOT_EXIST if there is no file at `path`. */
  get(path: string): Promise<AsyncIterable<Uint8Array>>;
  /** Describes one file or directory, or returns undefined if nothing is there. */
  stat(path: string): Promise<FileInfo | undefined>;
  /**
   * Lists the direct children of a directory, sorted by path, with paths relative to the root
   * (`dir/file.txt`). A missing directory lists as empty; a file lists as empty.
   */
  list(path?: string): Promise<FileInfo[]>;
  /** Deletes a file or a whole directory tree; deleting nothing is not an error. */
  delete(path: string): Promise<void>;
  /** Copies a file inside the store (only when `capabilities.serverSideCopy`). */
  copy?(from: string, to: string): Promise<void>;
  /** A time-limited URL to GET or PUT one file directly (only when `capabilities.presignedUrls`). */
  presign?(path: string, options: { method: 'GET' | 'PUT'; expiresInSeconds: number }): Promise<string>;
  /** Starts a multipart upload of `partCount` parts (only when `capabilities.multipartUpload`). */
  createMultipartUpload?(path: string, partCount: number): Promise<MultipartUpload>;
  /** Completes a multipart upload from the ETags of its parts. */
  completeMultipartUpload?(
    path: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void>;
  /** Aborts a multipart upload and frees its parts. */
  abortMultipartUpload?(path: string, uploadId: string): Promise<void>;
}

/** Opens the artifact store rooted at an artifact URI, or returns undefined if this plugin does not handle its scheme. */
export type ArtifactStoreResolver = (artifactUri: string) => ArtifactStore | undefined;
