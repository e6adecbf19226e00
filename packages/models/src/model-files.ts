import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ArtifactStore,
  doesNotExist,
  invalidParameter,
  joinArtifactUri,
  parseRunsUri,
} from '@cairn/core';
import { resolveModelsUri } from '@cairn/registry';
import { type ModelStores, requireTracking } from './model-stores.js';

/** Files moved at once; model directories are a handful of files, several MB at most for js_function. */
const concurrency = 4;

async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The artifact URI a model URI's files are at: `models:/` through the registry (or the logged model),
 * `runs:/<run>/<path>` under the run's artifact URI, anything else as it is.
 */
export async function resolveModelArtifactUri(uri: string, stores: ModelStores | undefined): Promise<string> {
  if (uri.startsWith('models:')) {
    const resolved = await resolveModelsUri(uri, {
      registry: stores?.registry,
      tracking: requireTracking(stores, `Loading ${uri}`),
    });
    const root = joinArtifactUri(resolved.artifactUri, resolved.subpath);
    return root.startsWith('runs:') ? resolveModelArtifactUri(root, stores) : root;
  }
  if (uri.startsWith('runs:')) {
    const { runId, artifactPath } = parseRunsUri(uri);
    const run = await requireTracking(stores, `Loading ${uri}`).getRun(runId);
    return joinArtifactUri(run.info.artifact_uri, artifactPath);
  }
  return uri;
}

/** Copies every file under an artifact store's root into `dir`; answers how many files were copied. */
export async function downloadModelFiles(store: ArtifactStore, dir: string): Promise<number> {
  const files: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    for (const child of await store.list(pending.pop())) {
      if (child.is_dir) pending.push(child.path);
      else files.push(child.path);
    }
  }
  await forEachLimited(files, async (path) => {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await pipeline(Readable.from(await store.get(path)), createWriteStream(target));
  });
  return files.length;
}

/** Uploads every file of a local model directory to an artifact store's root, keeping its shape. */
export async function uploadModelFiles(dir: string, store: ArtifactStore): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  await forEachLimited(files, async (file) => {
    await store.put(relative(dir, file).split(sep).join('/'), createReadStream(file));
  });
}

/**
 * Downloads the model a URI names into `dir` and answers the artifact URI it came from. A URI with nothing
 * under it fails with RESOURCE_DOES_NOT_EXIST naming it.
 */
export async function downloadModel(
  uri: string,
  dir: string,
  stores: ModelStores | undefined,
): Promise<string> {
  if (stores === undefined) {
    throw invalidParameter(
      `Loading '${uri}' needs stores to read it from: pass { stores } (a CairnClient does)`,
      {
        field: 'stores',
      },
    );
  }
  const artifactUri = await resolveModelArtifactUri(uri, stores);
  const count = await downloadModelFiles(await stores.artifactStoreAt(artifactUri), dir);
  if (count === 0) {
    throw doesNotExist(
      `No model files at ${artifactUri}${artifactUri === uri ? '' : ` (where ${uri} points)`}`,
      {
        field: 'model_uri',
      },
    );
  }
  return artifactUri;
}
