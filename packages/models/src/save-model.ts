import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { alreadyExists, invalidParameter } from '@cairn/core';
import { cairnVersion } from './cairn-version.js';
import type { Flavor } from './flavor.js';
import { inferSchema, inferSignature } from './infer-signature.js';
import { saveInputExample } from './input-example.js';
import { type JsFunctionModel, jsFunctionFlavor } from './js-function-flavor.js';
import { isJsModelModule, type JsModel } from './js-model-source.js';
import { loadModelFromDirectory } from './load-model.js';
import type { MLmodel } from './mlmodel.js';
import { formatUtcTimeCreated, writeMLmodel } from './mlmodel-file.js';
import type { PredictParams } from './model-input.js';
import type { ModelSignature } from './signature.js';
import { toExampleInput } from './to-model-input.js';

/** Options of {@link saveModel}. */
export interface SaveModelOptions<TModel = JsModel> {
  /**
   * The model. For js_function (the default flavor): a function `(input, params, context) => output`, an
   * object with `predict`, or `{ module: path, export? }` naming an ES module file (models from code).
   */
  readonly model: TModel;
  /** The flavor that writes the model; default js_function. */
  readonly flavor?: Flavor<TModel>;
  /** js_function only: files or directories copied beside the model's module (MLflow's `code_paths`). */
  readonly codePaths?: readonly string[];
  /** js_function only: name to local file or directory, handed to the model as `context.artifacts`. */
  readonly artifacts?: Readonly<Record<string, string>>;
  /** js_function only: handed to the model as `context.modelConfig`. */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  /** The signature; inferred from `inputExample` when absent (as MLflow does); `false` to write none. */
  readonly signature?: ModelSignature | false;
  /** An example input (records, columns, a tensor, JSON, or a tagged ModelInput), saved as MLflow saves it. */
  readonly inputExample?: unknown;
  /** Params saved with the example (MLflow's `(input, params)` example). */
  readonly inputExampleParams?: PredictParams;
  /** Free-form metadata written under the MLmodel's `metadata`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Written by `logModel`: the run, path and logged model the directory belongs to. */
  readonly runId?: string;
  readonly artifactPath?: string;
  readonly modelId?: string;
  /** The MLmodel's `model_uuid`; default a new random one (logModel uses the model id, as MLflow 3 does). */
  readonly modelUuid?: string;
}

const jsFunctionOnly = ['codePaths', 'artifacts', 'modelConfig'] as const;

async function directorySize(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Runs a model saved from its source on the example: a function that used a variable from outside itself
 * (a closure over live state) fails here with a ReferenceError, which is turned into the reason.
 */
async function runExample(
  dir: string,
  example: unknown,
  params: PredictParams | undefined,
  options: { fromSource: boolean },
): Promise<unknown> {
  const model = await loadModelFromDirectory(dir);
  try {
    return await model.predict(example, params);
  } catch (error) {
    if (options.fromSource && error instanceof ReferenceError) {
      throw invalidParameter(
        `The saved model failed on its input example: ${error.message}. A function saved from its source keeps only that source; a closure over variables outside it cannot be saved: move the model into a module file and pass { module: path }`,
        { field: 'model' },
      );
    }
    // MLflow too saves a model whose example fails, warning that no output schema could be inferred.
    process.emitWarning(
      `Could not infer the model's output schema: predicting the input example failed: ${(error as Error).message}`,
    );
    return undefined;
  } finally {
    await model.close();
  }
}

/**
 * Saves a model into a new local directory, as MLflow's `save_model`: the flavor's files, the input example,
 * and an MLmodel with the flavor's entry, signature, metadata and Cairn's version. A directory that exists
 * and is not empty fails with RESOURCE_ALREADY_EXISTS; any failure removes what was written.
 */
export async function saveModel<TModel = JsModel>(
  dir: string,
  options: SaveModelOptions<TModel>,
): Promise<MLmodel> {
  const target = resolve(dir);
  const flavor = (options.flavor ?? jsFunctionFlavor) as Flavor<unknown>;
  if (flavor !== jsFunctionFlavor) {
    const misplaced = jsFunctionOnly.find((key) => options[key] !== undefined);
    if (misplaced !== undefined) {
      throw invalidParameter(`${misplaced} applies to the js_function flavor only, not ${flavor.name}`, {
        field: misplaced,
      });
    }
  }
  const existing = await readdir(target).catch(() => undefined);
  if (existing !== undefined && existing.length > 0) {
    throw alreadyExists(`Path '${target}' already exists and is not empty`, { path: target });
  }
  await mkdir(target, { recursive: true });
  try {
    const model =
      flavor === jsFunctionFlavor
        ? ({
            model: options.model as JsModel,
            ...(options.codePaths === undefined ? {} : { codePaths: options.codePaths }),
            ...(options.artifacts === undefined ? {} : { artifacts: options.artifacts }),
            ...(options.modelConfig === undefined ? {} : { modelConfig: options.modelConfig }),
          } satisfies JsFunctionModel)
        : options.model;
    const saved = await flavor.save(model, { dir: target });
    const flavors: Record<string, Readonly<Record<string, unknown>>> = { [flavor.name]: saved.config };
    if (saved.pythonFunction !== undefined) flavors.python_function = saved.pythonFunction;

    let savedInputExampleInfo: Record<string, unknown> | undefined;
    let signature = options.signature === false ? undefined : options.signature;
    if (options.inputExample !== undefined) {
      const example = toExampleInput(options.inputExample);
      savedInputExampleInfo = await saveInputExample(target, example, options.inputExampleParams);
      if (options.signature === undefined) {
        signature = inferSignature(example, undefined, options.inputExampleParams);
      }
    }
    const mlmodel: MLmodel = {
      flavors,
      modelUuid: options.modelUuid ?? randomUUID().replaceAll('-', ''),
      utcTimeCreated: formatUtcTimeCreated(new Date()),
      cairnVersion,
      modelSizeBytes: await directorySize(target),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      ...(options.artifactPath === undefined ? {} : { artifactPath: options.artifactPath }),
      ...(options.modelId === undefined ? {} : { modelId: options.modelId }),
      ...(signature === undefined ? {} : { signature }),
      ...(savedInputExampleInfo === undefined ? {} : { savedInputExampleInfo }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    };
    await writeMLmodel(target, mlmodel);
    if (flavor === jsFunctionFlavor && options.inputExample !== undefined) {
      const output = await runExample(target, options.inputExample, options.inputExampleParams, {
        fromSource: !isJsModelModule(options.model),
      });
      // As MLflow's log_model, the outputs of an inferred signature come from predicting the example.
      if (options.signature === undefined && output !== undefined && signature !== undefined) {
        const outputs = inferSchema(output);
        if (outputs !== undefined) {
          const withOutputs: MLmodel = { ...mlmodel, signature: { ...signature, outputs } };
          await writeMLmodel(target, withOutputs);
          return withOutputs;
        }
      }
    }
    return mlmodel;
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    throw error;
  }
}
