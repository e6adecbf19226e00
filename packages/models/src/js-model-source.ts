import { Script } from 'node:vm';
import { invalidParameter } from '@cairn/core';

/**
 * What the js_function flavor saves, MLflow's "models from code" for JavaScript: an ES module file whose
 * export is the model. The export is a function `(input, params, context) => output` or an object with
 * `predict(input, params, context)` and an optional `loadContext(context)` run once at load (MLflow's
 * `load_context`).
 */
export interface JsModelModule {
  /** Path of the `.mjs`/`.js` ES module file (relative to the working directory or absolute). */
  readonly module: string;
  /** The export holding the model; default `default`. */
  readonly export?: string;
}

/** What `loadContext` and `predict` receive (MLflow's `PythonModelContext`). */
export interface JsModelContext {
  /** Each artifact's name to the absolute path of its copy in the model directory. */
  readonly artifacts: Readonly<Record<string, string>>;
  /** The `modelConfig` given at save time. */
  readonly modelConfig: Readonly<Record<string, unknown>>;
  /** The model directory. */
  readonly modelDir: string;
}

/** A model as an object: `predict`, and optionally `loadContext` run once when the model is loaded. */
export interface JsModelObject {
  predict(input: unknown, params: Readonly<Record<string, unknown>>, context: JsModelContext): unknown;
  loadContext?(context: JsModelContext): unknown;
}

/** A model as a function. */
export type JsModelFunction = (
  input: unknown,
  params: Readonly<Record<string, unknown>>,
  context: JsModelContext,
) => unknown;

/** Anything `saveModel` takes as a js_function model. */
export type JsModel = JsModelModule | JsModelFunction | JsModelObject;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** True when `model` names a module file rather than being the model itself. */
export function isJsModelModule(model: unknown): model is JsModelModule {
  return isPlainObject(model) && typeof model.module === 'string' && typeof model.predict !== 'function';
}

const compiles = (source: string) => {
  try {
    new Script(source);
    return true;
  } catch {
    return false;
  }
};

/** The source of one function as an expression, or the reason it cannot be one. */
function functionSource(fn: (...args: never[]) => unknown, name: string): string {
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/u.test(source)) {
    throw invalidParameter(
      `Cannot save ${name}: it is a built-in or bound function, whose source JavaScript cannot read; write the model in a module file and pass { module: path }`,
      { field: 'model' },
    );
  }
  if (compiles(`(${source});`)) return source;
  // A method written `predict(input) {...}`: valid only inside an object literal.
  if (compiles(`({${source}});`)) return source;
  throw invalidParameter(`Cannot save ${name}: its source does not parse on its own`, { field: 'model' });
}

/**
 * The text of an ES module whose default export is `model`, a function or an object of methods and JSON
 * data, from their source. Only what the source itself holds survives: a function that uses a variable
 * from outside it (a closure over live state), a class instance, or a value JSON cannot hold is refused
 * where it can be seen here, and otherwise fails with a ReferenceError when the saved copy first runs —
 * which `saveModel` does on the input example when one is given. Such a model belongs in a module file.
 */
export function serializeJsModel(model: JsModelFunction | JsModelObject): string {
  const header = '// Written by @cairn/models saveModel from the source of the model it was given.\n';
  if (typeof model === 'function') {
    if (/^class[\s{]/u.test(Function.prototype.toString.call(model))) {
      throw invalidParameter(
        'Cannot save a class as a model: export an instance from a module file and pass { module: path }',
        { field: 'model' },
      );
    }
    return `${header}export default (${functionSource(model, 'the model function')});\n`;
  }
  if (!isPlainObject(model)) {
    throw invalidParameter(
      `Cannot save an instance of ${model?.constructor?.name ?? 'a class'}: its state and methods live in its class; export the model from a module file and pass { module: path }`,
      { field: 'model' },
    );
  }
  const members = Object.entries(model).map(([key, value]) => {
    if (typeof value === 'function') {
      const source = functionSource(value as (...args: never[]) => unknown, `model.${key}`);
      if (compiles(`(${source});`)) return `  ${JSON.stringify(key)}: ${source},`;
      if (value.name !== key) {
        throw invalidParameter(`Cannot save model.${key}: a method named '${value.name}' under another key`, {
          field: 'model',
        });
      }
      return `  ${source},`;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined || !isJsonRoundTrip(value)) {
      throw invalidParameter(
        `Cannot save model.${key}: only JSON values (numbers, strings, booleans, null, arrays, plain objects) are saved with a model object; put other state in an artifact or a module file`,
        { field: `model.${key}` },
      );
    }
    return `  ${JSON.stringify(key)}: ${json},`;
  });
  return `${header}export default {\n${members.join('\n')}\n};\n`;
}

/** True when JSON keeps `value` as it is (no Dates, Maps, typed arrays, NaN or class instances inside). */
function isJsonRoundTrip(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonRoundTrip);
  if (isPlainObject(value)) return Object.values(value).every(isJsonRoundTrip);
  return false;
}
