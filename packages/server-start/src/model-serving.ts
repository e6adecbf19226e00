import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadTree } from '@cairn/client';
import { invalidParameter, openArtifactStore, parseRunsUri } from '@cairn/core';
import { resolveModelsUri } from '@cairn/registry';
import { createArtifactOpener, type createServer } from '@cairn/server';
import type { ServerStores } from './open-server-stores.js';

/** Options of {@link mountModelServing}. */
export interface ModelServingOptions {
  /** How often a served alias is checked for a move, in ms. */
  readonly pollIntervalMs?: number;
}

/**
 * Mounts `/serve/<name>@<alias>/invocations` and `/serve/<name>/<version>/invocations` on the tracking server
 * (`--serve-models`). `@cairn/serving` and the model code are imported only here, so a server started without
 * the flag loads no model framework. Models are read from the server's own stores: the registry names the
 * version, its files come through the artifact proxy's store or the store their URI names.
 */
export async function mountModelServing(
  app: ReturnType<typeof createServer>,
  stores: ServerStores,
  options: ModelServingOptions = {},
): Promise<void> {
  const serving = await import('@cairn/serving');
  if (stores.registryStore === undefined) {
    throw invalidParameter('--serve-models needs a backend store with a model registry', {
      field: 'serve_models',
    });
  }
  const modelStores = { registry: stores.registryStore, tracking: stores.trackingStore };
  const openArtifacts = createArtifactOpener(stores.artifactStore, (uri) =>
    openArtifactStore(uri, stores.plugins, stores.context).catch(() => undefined),
  );
  const download = async (uri: string): Promise<string> => {
    const { artifactUri, subpath } = await resolveModelsUri(uri, modelStores);
    let root = artifactUri.replace(/\/+$/u, '');
    if (root.startsWith('runs:')) {
      const { runId, artifactPath } = parseRunsUri(root);
      const run = await stores.trackingStore.getRun(runId);
      root = [run.info.artifact_uri.replace(/\/+$/u, ''), artifactPath].filter(Boolean).join('/');
    }
    const dst = await mkdtemp(join(tmpdir(), 'cairn-served-model-'));
    return downloadTree(await openArtifacts(root), subpath, dst);
  };
  serving.registerRegisteredModelRoutes(app, {
    loader: serving.createModelLoader({ download }),
    resolver: serving.createRegistryVersionResolver(modelStores),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
  });
}
