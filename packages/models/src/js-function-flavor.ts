import { constants } from 'node:fs';
import { access, copyFile, cp, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CairnError, doesNotExist, invalidParameter } from '@cairn/core';
import { cairnVersion } from './cairn-version.js';
import type { Flavor, FlavorLoadContext, Predictor } from './flavor.js';
import {
  isJsModelModule,
  type JsModel,
  type JsModelContext,
  type JsModelFunction,
  type JsModelObject,
  serializeJsModel,
} from './js-model-source.js';
import type { ModelInput, PredictParams } from './model-input.js';

/** What the js_function flavor saves: the model and the files it needs. */
export interface JsFunctionModel {
  readonly model: JsModel;
  /** Files or directories copied into the model's `code/` beside the entry module (MLflow's `code_paths`). */
  readonly codePaths?: readonly string[];
  /** Name to local file or directory, copied under `artifacts/<name>/` and handed to the model as `context.artifacts`. */
  readonly artifacts?: Readonly<Record<string, string>>;
  /** Handed to the model as `context.modelConfig` (MLflow's `model_config`). */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
}

/** The flavor's name under the MLmodel's `flavors`. */
export const jsFunctionFlavorName = 'js_function';

const codeDir = 'code';
const artifactsDir = 'artifacts';
const artifactNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/u;

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Copies a file or directory the caller named; a missing one fails naming the option and the path. */
async function copyGiven(source: string, target: string, field: string): Promise<void> {
  const info = await stat(source).catch(() => undefined);
  if (info === undefined) {
    throw invalidParameter(`${field}: '${source}' does not exist`, { field, path: source });
  }
  await mkdir(join(target, '..'), { recursive: true });
  if (info.isDirectory()) await cp(source, target, { recursive: true });
  else await copyFile(source, target);
}

async function saveJsFunction(spec: JsFunctionModel, dir: string) {
  const code = join(dir, codeDir);
  await mkdir(code, { recursive: true });
  // The entry may be a `.js` file: this marks everything under code/ as ES modules wherever the model lands.
  await writeFile(join(code, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  let entry: string;
  let exportName = 'default';
  if (isJsModelModule(spec.model)) {
    const source = resolve(spec.model.module);
    if (!['.mjs', '.js'].includes(extname(source))) {
      throw invalidParameter(
        `model.module must be an ES module file (.mjs or .js), got '${spec.model.module}'`,
        {
          field: 'model.module',
        },
      );
    }
    entry = basename(source);
    exportName = spec.model.export ?? 'default';
    await copyGiven(source, join(code, entry), 'model.module');
  } else if (typeof spec.model === 'function' || (typeof spec.model === 'object' && spec.model !== null)) {
    if (typeof spec.model === 'object' && typeof (spec.model as JsModelObject).predict !== 'function') {
      throw invalidParameter('model must be a function, an object with predict, or { module: path }', {
        field: 'model',
      });
    }
    entry = 'model.mjs';
    await writeFile(join(code, entry), serializeJsModel(spec.model));
  } else {
    throw invalidParameter('model must be a function, an object with predict, or { module: path }', {
      field: 'model',
    });
  }
  for (const path of spec.codePaths ?? []) {
    const name = basename(resolve(path));
    if (name === entry || name === 'package.json') {
      throw invalidParameter(`codePaths: '${path}' would replace the model's own ${name} under code/`, {
        field: 'code_paths',
      });
    }
    await copyGiven(resolve(path), join(code, name), 'code_paths');
  }
  const artifacts: Record<string, { path: string; uri: string }> = {};
  for (const [name, path] of Object.entries(spec.artifacts ?? {})) {
    if (!artifactNamePattern.test(name)) {
      throw invalidParameter(`artifacts: the name '${name}' must be letters, digits, '_', '-' or '.'`, {
        field: 'artifacts',
      });
    }
    const source = resolve(path.startsWith('file:') ? new URL(path).pathname : path);
    const relative = `${artifactsDir}/${name}/${basename(source)}`;
    await copyGiven(source, join(dir, relative), `artifacts.${name}`);
    artifacts[name] = { path: relative, uri: path };
  }
  return {
    config: {
      loader: '@cairn/models',
      entry: `${codeDir}/${entry}`,
      export: exportName,
      code: codeDir,
      artifacts,
      ...(spec.modelConfig === undefined ? {} : { model_config: spec.modelConfig }),
      node_version: process.version,
      engines: { node: '>=20' },
      cairn_version: cairnVersion,
    },
  };
}

/** Each load imports the entry afresh (a query on its URL), so two loads never share a model's state. */
let loadCount = 0;

const stringField = (context: FlavorLoadContext, key: string, fallback?: string): string => {
  const value = context.config[key] ?? fallback;
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(
      `The MLmodel's flavors.js_function.${key} must be a path, got ${JSON.stringify(value)}`,
      {
        field: `flavors.js_function.${key}`,
      },
    );
  }
  return value;
};

async function loadJsFunction(context: FlavorLoadContext): Promise<Predictor> {
  const entry = join(context.dir, stringField(context, 'entry'));
  const exportName = stringField(context, 'export', 'default');
  if (!(await exists(entry))) {
    throw doesNotExist(`The model's module ${entry} is missing from the model directory`, { path: entry });
  }
  const artifacts: Record<string, string> = {};
  const saved = (context.config.artifacts ?? {}) as Record<string, { path?: unknown }>;
  for (const [name, info] of Object.entries(saved)) {
    if (typeof info?.path !== 'string') {
      throw invalidParameter(`The MLmodel's flavors.js_function.artifacts.${name} has no path`, {
        field: `flavors.js_function.artifacts.${name}`,
      });
    }
    const path = join(context.dir, info.path);
    if (!(await exists(path))) {
      throw doesNotExist(`The model's artifact '${name}' (${path}) is missing from the model directory`, {
        path,
      });
    }
    artifacts[name] = path;
  }
  const modelContext: JsModelContext = {
    artifacts,
    modelConfig: (context.config.model_config ?? {}) as Record<string, unknown>,
    modelDir: context.dir,
  };
  loadCount += 1;
  let module: Record<string, unknown>;
  try {
    module = (await import(`${pathToFileURL(entry).href}?cairn-load=${loadCount}`)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    if (CairnError.isInstance(error)) throw error;
    // A module the entry imports that is not there names itself in Node's message.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw doesNotExist(`Loading ${entry} failed: ${(error as Error).message}`, { path: entry });
    }
    throw error;
  }
  const exported = module[exportName];
  if (typeof exported === 'function') {
    const fn = exported as JsModelFunction;
    return {
      predict: async (input: ModelInput, params?: PredictParams) => fn(input, params ?? {}, modelContext),
    };
  }
  if (
    typeof exported === 'object' &&
    exported !== null &&
    typeof (exported as JsModelObject).predict === 'function'
  ) {
    const model = exported as JsModelObject;
    await model.loadContext?.(modelContext);
    return {
      predict: async (input: ModelInput, params?: PredictParams) =>
        model.predict(input, params ?? {}, modelContext),
    };
  }
  throw invalidParameter(
    `${entry} has no model under export '${exportName}': expected a function or an object with predict, got ${exported === undefined ? 'nothing' : typeof exported}`,
    { field: 'flavors.js_function.export', path: entry },
  );
}

/**
 * Cairn's `python_function`: a JavaScript model saved as an ES module (models from code) with its code
 * files and artifacts. Always available to `loadModel`; Python's MLflow reads its MLmodel but cannot run it.
 */
export const jsFunctionFlavor: Flavor<JsFunctionModel> = {
  name: jsFunctionFlavorName,
  packageName: '@cairn/models',
  save: (spec, context) => saveJsFunction(spec, context.dir),
  load: loadJsFunction,
};
