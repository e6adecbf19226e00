import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { doesNotExist, invalidParameter } from '@cairn/core';
import { createLoadedModel } from './create-loaded-model.js';
import type { Flavor } from './flavor.js';
import { describeFlavor, flavorLoaderName } from './flavor-packages.js';
import { jsFunctionFlavor } from './js-function-flavor.js';
import type { LoadedModel } from './loaded-model.js';
import type { MLmodel } from './mlmodel.js';
import { readMLmodel } from './mlmodel-file.js';
import { downloadModel } from './model-files.js';
import type { ModelStores } from './model-stores.js';

/** Options of {@link loadModelFromDirectory}. */
export interface LoadModelFlavorOptions {
  /**
   * Flavors that may load the model besides js_function (always available), in order of preference:
   * `loadModel(uri, { flavors: [onnxFlavor] })`.
   */
  readonly flavors?: readonly Flavor[];
}

/**
 * The flavor that loads a model: js_function when the MLmodel has it, else the first of `flavors` the MLmodel
 * has. None fails with INVALID_PARAMETER_VALUE naming the flavors the model has and what loads each.
 */
export function pickFlavor(mlmodel: MLmodel, flavors: readonly Flavor[], where: string): Flavor {
  if (mlmodel.flavors[jsFunctionFlavor.name] !== undefined) {
    return flavors.find((flavor) => flavor.name === jsFunctionFlavor.name) ?? jsFunctionFlavor;
  }
  const found = flavors.find((flavor) => mlmodel.flavors[flavor.name] !== undefined);
  if (found !== undefined) return found;
  const present = Object.entries(mlmodel.flavors);
  const given = ['js_function', ...flavors.map((flavor) => flavor.name)].join(', ');
  const needs = present.map(
    ([name, config]) => `${describeFlavor(name, config)} needs ${flavorLoaderName(name, config)}`,
  );
  throw invalidParameter(
    `Cannot load the model at ${where}: none of the flavors given (${given}) can load it. Its flavors: ${present.length === 0 ? 'none' : needs.join('; ')}`,
    { field: 'flavors', flavors: present.map(([name]) => name) },
  );
}

/** A local model directory from a plain path or a `file:` URI. */
export function localModelPath(pathOrUri: string, cwd: string = process.cwd()): string | undefined {
  if (pathOrUri.startsWith('file:'))
    return fileURLToPath(pathOrUri.startsWith('file://') ? pathOrUri : `file://${pathOrUri.slice(5)}`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/u.test(pathOrUri) && !/^[A-Za-z]:[\\/]/u.test(pathOrUri)) return undefined;
  return resolve(cwd, pathOrUri);
}

/** Loads the model in a local directory with the flavor {@link pickFlavor} picks. */
export async function loadModelFromDirectory(
  dir: string,
  options: LoadModelFlavorOptions & { readonly uri?: string } = {},
): Promise<LoadedModel> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw doesNotExist(`No model directory at '${dir}'`, { path: dir });
  }
  const mlmodel = await readMLmodel(dir);
  const flavor = pickFlavor(mlmodel, options.flavors ?? [], options.uri ?? dir);
  const config = mlmodel.flavors[flavor.name] ?? {};
  const predictor = await flavor.load({ dir, config, mlmodel });
  return createLoadedModel({ uri: options.uri ?? dir, mlmodel, flavor: flavor.name, predictor });
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends LoadModelFlavorOptions {
  /** Where models that are not local are read from (a CairnClient passes its own). */
  readonly stores?: ModelStores;
  /** Where a model that is not local is downloaded; default a new temporary directory, removed by `close()`. */
  readonly dstPath?: string;
  /** Relative paths resolve against this; default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Loads a model from a local directory (a path or `file:` URI) or, through `stores`, from `runs:/<run>/<path>`,
 * `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`, `models:/<model_id>` or any artifact
 * URI a store opens (`s3://`, `mlflow-artifacts:`...), downloaded first. js_function models load out of the
 * box; other flavors when their package's flavor is passed in `flavors`.
 */
export async function loadModel(pathOrUri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const local = localModelPath(pathOrUri, options.cwd);
  if (local !== undefined && options.stores === undefined) {
    return loadModelFromDirectory(local, { ...options, uri: pathOrUri });
  }
  if (local !== undefined) {
    const info = await stat(local).catch(() => undefined);
    if (info?.isDirectory()) return loadModelFromDirectory(local, { ...options, uri: pathOrUri });
  }
  const dir = options.dstPath ?? (await mkdtemp(join(tmpdir(), 'cairn-model-')));
  const removeDownload =
    options.dstPath === undefined ? () => rm(dir, { recursive: true, force: true }) : async () => {};
  try {
    await downloadModel(local === undefined ? pathOrUri : pathToFileURL(local).href, dir, options.stores);
    const model = await loadModelFromDirectory(dir, { ...options, uri: pathOrUri });
    return {
      uri: model.uri,
      mlmodel: model.mlmodel,
      flavor: model.flavor,
      predict: (input, params) => model.predict(input, params),
      close: async () => {
        await model.close();
        await removeDownload();
      },
    };
  } catch (error) {
    await removeDownload();
    throw error;
  }
}
