import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { doesNotExist, invalidParameter } from '@cairn/core';
import { createLoadedModel } from './create-loaded-model.js';
import type { Flavor } from './flavor.js';
import { describeFlavor, flavorLoaderName } from './flavor-packages.js';
import { jsFunctionFlavor } from './js-function-flavor.js';
import type { LoadedModel } from './loaded-model.js';
import type { MLmodel } from './mlmodel.js';
import { readMLmodel } from './mlmodel-file.js';

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
  /** Relative paths resolve against this; default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Loads a model: a local directory (a path or `file:` URI). js_function models load out of the box; other
 * flavors when their package's flavor is passed in `flavors`.
 */
export async function loadModel(pathOrUri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const local = localModelPath(pathOrUri, options.cwd);
  if (local === undefined) {
    throw invalidParameter(`Cannot load '${pathOrUri}': only local paths and file: URIs are supported here`, {
      field: 'model_uri',
    });
  }
  return loadModelFromDirectory(local, { ...options, uri: pathOrUri });
}
