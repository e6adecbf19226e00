import { type ArtifactStore, type Awaitable, invalidParameter, normaliseArtifactPath } from '@cairn/core';

/**
 * Opens the artifact store rooted at an artifact URI, or answers undefined for a URI it has no store for:
 * a sync `ArtifactStoreResolver`, or an async opener such as one over core's `openArtifactStore` and plugins.
 */
export type ArtifactOpener = (artifactUri: string) => Awaitable<ArtifactStore | undefined>;

/**
 * The path inside the proxied artifact root that an `mlflow-artifacts:` URI names, or undefined for other
 * schemes. `mlflow-artifacts:/1/abc/artifacts` and `mlflow-artifacts://host:5000/1/abc/artifacts` both name
 * `1/abc/artifacts`.
 */
export function mlflowArtifactsPath(uri: string): string | undefined {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?(\/.*)?$/iu.exec(uri);
  if (match === null) return undefined;
  return normaliseArtifactPath((match[1] ?? '').replace(/^\/+/u, ''), 'artifact_uri');
}

const join = (prefix: string, path: string) =>
  prefix === '' ? path : path === '' ? prefix : `${prefix}/${path}`;

/** A view of `store` rooted at `prefix`: paths are confined under it and listed relative to it. */
export function prefixedArtifactStore(store: ArtifactStore, prefix: string, rootUri: string): ArtifactStore {
  const inner = (path: string) => join(prefix, normaliseArtifactPath(path));
  const strip = (path: string) => (prefix === '' ? path : path.slice(prefix.length + 1));
  return {
    specificationVersion: 'v1',
    capabilities: { presignedUrls: false, multipartUpload: false, serverSideCopy: false },
    rootUri,
    put: (path, body) => store.put(inner(path), body),
    get: (path) => store.get(inner(path)),
    stat: async (path) => {
      const info = await store.stat(inner(path));
      return info === undefined ? undefined : { ...info, path: strip(info.path) };
    },
    list: async (path) =>
      (await store.list(inner(path ?? ''))).map((info) => ({ ...info, path: strip(info.path) })),
    delete: (path) => store.delete(inner(path)),
  };
}

/**
 * Opens the artifact store of a run or experiment artifact URI: `mlflow-artifacts:` URIs map into the
 * proxied store, anything else goes to the resolver.
 */
export function createArtifactOpener(
  proxied: ArtifactStore | undefined,
  resolver: ArtifactOpener | undefined,
): (artifactUri: string) => Promise<ArtifactStore> {
  return async (artifactUri) => {
    const proxiedPath = mlflowArtifactsPath(artifactUri);
    if (proxiedPath !== undefined && proxied !== undefined) {
      return prefixedArtifactStore(proxied, proxiedPath, artifactUri);
    }
    const store = proxiedPath === undefined ? await resolver?.(artifactUri) : undefined;
    if (store === undefined) {
      throw invalidParameter(`The server has no artifact store for '${artifactUri}'`, {
        field: 'artifact_uri',
      });
    }
    return store;
  };
}
