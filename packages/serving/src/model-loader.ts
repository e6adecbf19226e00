import { rm } from 'node:fs/promises';
import { type Flavor, flavorPackages, type LoadedModel, loadModel, readMLmodel } from '@cairn/models';
import type { ModelLoader } from './served-model.js';

/** Options of {@link createModelLoader}. */
export interface ModelLoaderOptions {
  /**
   * Fetches a model URI that is not a local path (`models:/`, `runs:/`, `s3://`...) into a new local directory
   * and answers its path (e.g. `CairnClient.downloadArtifacts`). Without one, only local models load.
   */
  readonly download?: (uri: string) => Promise<string>;
  /** Flavors besides js_function; default: those of the model's flavors whose Cairn package is installed. */
  readonly flavors?: readonly Flavor[];
  /** Imports a flavor package by name (default `import()`), for tests and bundlers. */
  readonly importPackage?: (name: string) => Promise<Record<string, unknown>>;
}

const isLocal = (uri: string) =>
  uri.startsWith('file:') || !/^[A-Za-z][A-Za-z0-9+.-]*:/u.test(uri) || /^[A-Za-z]:[\\/]/u.test(uri);

const isFlavor = (value: unknown): value is Flavor =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Flavor).name === 'string' &&
  typeof (value as Flavor).load === 'function';

/**
 * The flavors an installed Cairn package provides for a model's MLmodel (`@cairn/onnx` for `onnx`...); a
 * package that is not installed is skipped, so `loadModel` names it in its error.
 */
export async function importFlavorsFor(
  dir: string,
  importPackage: (name: string) => Promise<Record<string, unknown>> = (name) => import(name),
): Promise<Flavor[]> {
  const mlmodel = await readMLmodel(dir);
  const flavors: Flavor[] = [];
  for (const name of Object.keys(mlmodel.flavors)) {
    const packageName = flavorPackages[name]?.[0];
    // js_function is @cairn/models' own, which loadModel always has.
    if (packageName === undefined || name === 'js_function') continue;
    const module = await importPackage(packageName).catch(() => undefined);
    if (module !== undefined) flavors.push(...Object.values(module).filter(isFlavor));
  }
  return flavors;
}

/**
 * A {@link ModelLoader} over `loadModel`: local directories load in place; other URIs are downloaded first
 * into a temporary directory, removed when the model is closed (after a hot swap).
 */
export function createModelLoader(options: ModelLoaderOptions = {}): ModelLoader {
  return async (uri: string): Promise<LoadedModel> => {
    const local = isLocal(uri);
    if (!local && options.download === undefined) {
      return loadModel(uri, options.flavors ? { flavors: options.flavors } : {});
    }
    const dir = local ? undefined : await (options.download as (uri: string) => Promise<string>)(uri);
    const path = dir ?? uri;
    try {
      const flavors =
        options.flavors ??
        (await importFlavorsFor(
          path.startsWith('file:') ? new URL(path).pathname : path,
          options.importPackage,
        ).catch(() => []));
      const model = dir === undefined ? await loadModel(uri, { flavors }) : await loadModel(dir, { flavors });
      if (dir === undefined) return model;
      return {
        uri,
        mlmodel: model.mlmodel,
        flavor: model.flavor,
        predict: (input, params) => model.predict(input, params),
        async close() {
          await model.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  };
}
