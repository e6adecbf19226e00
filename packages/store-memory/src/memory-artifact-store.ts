import {
  type ArtifactBody,
  type ArtifactStore,
  doesNotExist,
  type FileInfo,
  invalidParameter,
  normaliseArtifactPath,
} from '@cairn/core';

/** Options of {@link createMemoryArtifactStore}. */
export interface MemoryArtifactStoreOptions {
  /** The artifact URI the store is rooted at, e.g. `memory://artifacts/1/<run id>/artifacts`. */
  rootUri: string;
}

// One map per process, keyed by full URI, so every store opened on the same URI sees the same files
// (the tracking store hands out URIs; whoever opens them later must find the bytes). Symbol.for keeps it
// shared even if two copies of this package are loaded.
const filesKey = Symbol.for('cairn.store-memory.files');
const globalFiles = globalThis as typeof globalThis & { [filesKey]?: Map<string, Uint8Array> };
const files: Map<string, Uint8Array> = globalFiles[filesKey] ?? new Map<string, Uint8Array>();
globalFiles[filesKey] = files;

const chunkSize = 64 * 1024;
const encoder = new TextEncoder();

async function readBody(body: ArtifactBody): Promise<Uint8Array> {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body.slice();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A Node Readable with an encoding set yields strings, whatever its type says.
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.byteLength;
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}

async function* streamBytes(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    yield bytes.slice(offset, offset + chunkSize);
  }
}

/**
 * An artifact store held in process memory. Files live in one process-wide map keyed by full URI, so two
 * stores rooted at the same URI share files; nothing survives the process.
 */
export function createMemoryArtifactStore(options: MemoryArtifactStoreOptions): ArtifactStore {
  const rootUri = options.rootUri.replace(/\/+$/u, '');
  const uriOf = (path: string) => (path === '' ? rootUri : `${rootUri}/${path}`);
  const childPrefix = (path: string) => `${uriOf(path)}/`;
  const relative = (uri: string) => uri.slice(rootUri.length + 1);

  const isDirectory = (path: string) => {
    const prefix = childPrefix(path);
    for (const uri of files.keys()) if (uri.startsWith(prefix)) return true;
    return false;
  };

  return {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: false, multipartUpload: false, serverSideCopy: false },
    rootUri,

    async put(path, body) {
      const normalised = normaliseArtifactPath(path);
      if (normalised === '')
        throw invalidParameter('Cannot write a file at the artifact root', { field: 'path' });
      // The whole body is read before the map changes, so a failing stream leaves no partial file.
      const bytes = await readBody(body);
      files.set(uriOf(normalised), bytes);
    },

    async get(path) {
      const normalised = normaliseArtifactPath(path);
      const bytes = normalised === '' ? undefined : files.get(uriOf(normalised));
      if (bytes === undefined)
        throw doesNotExist(`No artifact file at '${path}' under ${rootUri}`, { field: 'path' });
      return streamBytes(bytes);
    },

    async stat(path) {
      const normalised = normaliseArtifactPath(path);
      const bytes = normalised === '' ? undefined : files.get(uriOf(normalised));
      if (bytes !== undefined) return { path: normalised, is_dir: false, file_size: bytes.byteLength };
      if (normalised === '' || isDirectory(normalised)) return { path: normalised, is_dir: true };
      return undefined;
    },

    async list(path) {
      const normalised = normaliseArtifactPath(path);
      const prefix = childPrefix(normalised);
      const children = new Map<string, FileInfo>();
      for (const [uri, bytes] of files) {
        if (!uri.startsWith(prefix)) continue;
        const rest = uri.slice(prefix.length);
        const slash = rest.indexOf('/');
        const childPath = relative(slash === -1 ? uri : `${prefix}${rest.slice(0, slash)}`);
        if (slash === -1)
          children.set(childPath, { path: childPath, is_dir: false, file_size: bytes.byteLength });
        else if (!children.has(childPath)) children.set(childPath, { path: childPath, is_dir: true });
      }
      return [...children.values()].sort((left, right) =>
        left.path < right.path ? -1 : left.path > right.path ? 1 : 0,
      );
    },

    async delete(path) {
      const normalised = normaliseArtifactPath(path);
      if (normalised !== '') files.delete(uriOf(normalised));
      const prefix = childPrefix(normalised);
      for (const uri of [...files.keys()]) if (uri.startsWith(prefix)) files.delete(uri);
    },
  };
}
