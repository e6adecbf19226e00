import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { CairnError } from '@cairn/core';
import type {
  Flavor,
  FlavorLoadContext,
  FlavorSaveContext,
  FlavorSaveResult,
  ModelInput,
  Predictor,
} from '@cairn/models';
import type { InferenceSession } from 'onnxruntime-node';
import { buildFeeds, type OnnxInputInfo } from './onnx-feeds.js';
import {
  inspectOnnxModel,
  onnxReleaseForIrVersion,
  withoutZipMaps,
  type ZipMapOutput,
} from './onnx-model-proto.js';
import { asDataFrame, asTensorMap, outputValues } from './onnx-outputs.js';
import { importOnnxRuntime, type OnnxRuntime } from './onnx-runtime.js';
import {
  defaultExecutionProviders,
  nodeExecutionProviders,
  nodeSessionOptions,
  type OnnxSessionOptions,
  providersEntry,
  sessionOptionsEntry,
} from './onnx-session-config.js';
import { WireFormatError } from './protobuf-wire.js';

/** The file name MLflow's onnx flavor writes the model under, and what `data` names. */
export const onnxModelFileName = 'model.onnx';

/** An ONNX model with the options MLflow's `save_model` takes for it. */
export interface OnnxModel {
  /** The model: a path to a `.onnx` file (external data files next to it are copied too) or its bytes. */
  readonly model: string | Uint8Array;
  /**
   * Python's execution provider names saved under `providers`, in preference order (default MLflow's:
   * CUDA, then CPU). A name or a `[name, options]` pair.
   */
  readonly executionProviders?: readonly (string | readonly [string, Readonly<Record<string, unknown>>])[];
  /** Saved under `onnx_session_options` and applied by every loader (Cairn's and MLflow's). */
  readonly sessionOptions?: OnnxSessionOptions;
  /**
   * What `onnx_version` records. MLflow writes the version of the Python `onnx` package that saved the file;
   * Cairn has no such package and writes the onnx release that introduced the model's IR version.
   */
  readonly onnxVersion?: string;
}

/** What the onnx flavor saves: a path to a `.onnx` file, the file's bytes, or either with options. */
export type OnnxModelSource = string | Uint8Array | OnnxModel;

/** Options of {@link createOnnxFlavor}. */
export interface OnnxFlavorOptions {
  /** The `onnxruntime-node` module to use instead of importing it (another copy, a test double). */
  readonly runtime?: OnnxRuntime;
  /**
   * onnxruntime-node's providers to load with (`['cuda', 'cpu']`), overriding what the MLmodel asks.
   * Without it, the MLmodel's providers that onnxruntime-node bundles are used, CPU when none is.
   */
  readonly executionProviders?: readonly string[];
}

function invalid(message: string, cause?: unknown): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message, cause === undefined ? {} : { cause });
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readModelFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissing(error))
      throw new CairnError('RESOURCE_DOES_NOT_EXIST', `${what} '${path}' does not exist`, { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw invalid(`${what} '${path}' is a directory, not an ONNX file`, error);
    throw error;
  }
}

function inspect(bytes: Uint8Array, name: string) {
  try {
    return inspectOnnxModel(bytes);
  } catch (error) {
    if (error instanceof WireFormatError)
      throw invalid(`${name} is not an ONNX model (${error.message})`, error);
    throw error;
  }
}

/** A path inside the model directory: relative, with no `..`; anything else could read or write outside it. */
function insideDirectory(relativePath: string, field: string): string {
  const normalised = normalize(relativePath);
  if (
    relativePath === '' ||
    isAbsolute(relativePath) ||
    normalised === '..' ||
    normalised.startsWith(`..${sep}`)
  ) {
    throw invalid(`${field} '${relativePath}' must be a relative path inside the model directory`);
  }
  return normalised;
}

function asOnnxModel(source: OnnxModelSource): OnnxModel {
  if (typeof source === 'string' || source instanceof Uint8Array) return { model: source };
  if (
    typeof source !== 'object' ||
    source === null ||
    (typeof source.model !== 'string' && !(source.model instanceof Uint8Array))
  ) {
    throw invalid(
      'the onnx flavor saves a path to an .onnx file, its bytes (a Buffer or Uint8Array), or { model, ... } holding either',
    );
  }
  return source;
}

async function save(source: OnnxModelSource, context: FlavorSaveContext): Promise<FlavorSaveResult> {
  const model = asOnnxModel(source);
  const fromFile = typeof model.model === 'string' ? resolve(model.model) : undefined;
  const bytes =
    fromFile === undefined ? (model.model as Uint8Array) : await readModelFile(fromFile, 'the ONNX file');
  const facts = inspect(bytes, fromFile === undefined ? 'the model bytes' : `the ONNX file '${fromFile}'`);
  // Everything is checked before anything is written, so a refused model leaves the directory as it was.
  const providers = providersEntry(model.executionProviders ?? defaultExecutionProviders);
  const sessionOptions =
    model.sessionOptions === undefined ? null : sessionOptionsEntry(model.sessionOptions);
  const externalData = facts.externalData.map((location) => {
    const inside = insideDirectory(location, 'an external data location');
    if (fromFile === undefined) {
      throw invalid(
        `the model bytes keep tensors in the external file '${location}', which bytes cannot carry: pass the path of the .onnx file instead`,
      );
    }
    if (inside === onnxModelFileName)
      throw invalid(`an external data location may not be '${onnxModelFileName}'`);
    return inside;
  });
  const copies = await Promise.all(
    externalData.map(async (location) => {
      const from = join(dirname(fromFile as string), location);
      const found = await stat(from).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      });
      if (found === undefined || !found.isFile()) {
        throw new CairnError('RESOURCE_DOES_NOT_EXIST', `the external data file '${from}' does not exist`);
      }
      return { from, to: join(context.dir, location) };
    }),
  );
  await writeFile(join(context.dir, onnxModelFileName), bytes);
  for (const copy of copies) {
    await mkdir(dirname(copy.to), { recursive: true });
    await copyFile(copy.from, copy.to);
  }
  return {
    config: {
      onnx_version: model.onnxVersion ?? onnxReleaseForIrVersion(facts.irVersion),
      data: onnxModelFileName,
      providers,
      onnx_session_options: sessionOptions,
      code: null,
    },
    pythonFunction: { loader_module: 'mlflow.onnx', data: onnxModelFileName },
  };
}

function predictor(
  session: InferenceSession,
  runtime: OnnxRuntime,
  inputs: OnnxInputInfo[],
  zipMaps: readonly ZipMapOutput[],
): Predictor {
  const zipMapByOutput = new Map(zipMaps.map((zipMap) => [zipMap.output, zipMap]));
  const tensorOf = new Map(zipMaps.map((zipMap) => [zipMap.tensor, zipMap.output]));
  // The model's own output names, in order: a ZipMap's tensor is reported under the output it fed.
  const outputNames = session.outputNames.map((name) => tensorOf.get(name) ?? name);
  let open = true;
  return {
    async predict(input: ModelInput) {
      if (!open) throw new CairnError('INVALID_STATE', 'the onnx model was closed; load it again to predict');
      const feeds = buildFeeds(runtime, inputs, input);
      const results = await session.run(feeds);
      const values = outputValues(results, outputNames, zipMapByOutput);
      return input.kind === 'dataframe' ? asDataFrame(values) : asTensorMap(values);
    },
    async close() {
      if (!open) return;
      open = false;
      await session.release();
    },
  };
}

async function createSession(
  runtime: OnnxRuntime,
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions,
  file: string,
): Promise<InferenceSession> {
  const providers = options.executionProviders ?? ['cpu'];
  try {
    // Two calls because onnxruntime's overloads take a path or bytes, not their union.
    return typeof model === 'string'
      ? await runtime.InferenceSession.create(model, options)
      : await runtime.InferenceSession.create(model, options);
  } catch (error) {
    // As MLflow's loader does: providers that fail to start give way to the CPU, which always does.
    if (providers.length === 1 && providers[0] === 'cpu') {
      const reason = error instanceof Error ? error.message : String(error);
      throw invalid(`onnxruntime cannot load the ONNX file '${file}': ${reason}`, error);
    }
    return createSession(runtime, model, { ...options, executionProviders: ['cpu'] }, file);
  }
}

async function load(context: FlavorLoadContext, flavorOptions: OnnxFlavorOptions): Promise<Predictor> {
  const data = context.config.data ?? onnxModelFileName;
  if (typeof data !== 'string')
    throw invalid(`the onnx flavor's 'data' must name the model file, got ${JSON.stringify(data)}`);
  const file = join(context.dir, insideDirectory(data, "the onnx flavor's 'data'"));
  const bytes = await readModelFile(file, 'the ONNX model file');
  const facts = inspect(bytes, `the ONNX model file '${file}'`);
  const runtime = flavorOptions.runtime ?? (await importOnnxRuntime());
  const bundled = new Set(
    runtime
      .listSupportedBackends()
      .filter((backend) => backend.bundled)
      .map((backend) => backend.name),
  );
  const options = nodeSessionOptions(context.config.onnx_session_options);
  options.executionProviders = flavorOptions.executionProviders
    ? [...flavorOptions.executionProviders]
    : nodeExecutionProviders(context.config.providers ?? defaultExecutionProviders, bundled);
  let session: InferenceSession;
  if (facts.zipMaps.length === 0) {
    session = await createSession(runtime, file, options, file);
  } else {
    // onnxruntime-node returns tensors only, so the ZipMaps go and their maps are rebuilt after each run;
    // the edited model is loaded from memory and finds its external data files through the directory.
    const extra = { ...(options.extra as Record<string, unknown> | undefined) };
    extra['session.model_external_initializers_file_folder_path'] = dirname(file);
    session = await createSession(runtime, withoutZipMaps(bytes, facts.zipMaps), { ...options, extra }, file);
  }
  const inputs: OnnxInputInfo[] = [];
  for (const metadata of session.inputMetadata) {
    if (!metadata.isTensor) {
      await session.release();
      throw invalid(
        `input '${metadata.name}' of the ONNX file '${file}' is not a tensor, which onnxruntime-node cannot feed`,
      );
    }
    inputs.push({ name: metadata.name, type: metadata.type, shape: metadata.shape });
  }
  const nonTensor = session.outputMetadata.find((metadata) => !metadata.isTensor);
  if (nonTensor !== undefined) {
    await session.release();
    throw invalid(
      `output '${nonTensor.name}' of the ONNX file '${file}' is a sequence or map not made by a ZipMap, which onnxruntime-node cannot return`,
    );
  }
  return predictor(session, runtime, inputs, facts.zipMaps);
}

/** An onnx flavor with its own runtime or providers; {@link onnxFlavor} is the one with the defaults. */
export function createOnnxFlavor(options: OnnxFlavorOptions = {}): Flavor<OnnxModelSource> {
  return {
    specificationVersion: 'v1',
    name: 'onnx',
    packageName: '@cairn/onnx',
    save,
    load: (context) => load(context, options),
  };
}

/**
 * MLflow's `onnx` flavor: saves an ONNX model as `mlflow.onnx.save_model` lays it out (Python's
 * `mlflow.pyfunc.load_model` opens it) and loads what Cairn or MLflow saved into an onnxruntime-node session.
 */
export const onnxFlavor: Flavor<OnnxModelSource> = createOnnxFlavor();
