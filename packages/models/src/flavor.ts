import type { MLmodel } from './mlmodel.js';
import type { ModelInput, ModelOutput, PredictParams } from './model-input.js';

/**
 * A model that answers `predict`. Every flavor's `load` returns one, and `loadModel` wraps it in a
 * `LoadedModel` that enforces the saved signature first, so a flavor sees only inputs the signature admits.
 */
export interface Predictor {
  predict(input: ModelInput, params?: PredictParams): Promise<ModelOutput>;
  /** Releases what the model holds (a native session, worker threads); called when a server swaps it out. */
  close?(): Promise<void>;
}

/** What a flavor's `save` is given. */
export interface FlavorSaveContext {
  /** The model directory, already created; the flavor writes its files under it (the MLmodel is not its job). */
  readonly dir: string;
}

/** What a flavor's `save` answers: the entries `saveModel` writes under the MLmodel's `flavors`. */
export interface FlavorSaveResult {
  /** This flavor's own entry, `flavors.<name>` (e.g. `{ onnx_version: '1.17.0', data: 'model.onnx' }`). */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * The `python_function` entry when Python's `mlflow.pyfunc.load_model` can load what this flavor wrote
   * (e.g. `{ loader_module: 'mlflow.onnx', data: 'model.onnx' }`); absent when it cannot.
   */
  readonly pythonFunction?: Readonly<Record<string, unknown>>;
}

/** What a flavor's `load` is given. */
export interface FlavorLoadContext {
  /** The model directory on the local file system (downloaded first when the model lives elsewhere). */
  readonly dir: string;
  /** This flavor's entry in the MLmodel, `flavors.<name>`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The whole MLmodel, for flavors that read its signature or metadata. */
  readonly mlmodel: MLmodel;
}

/**
 * A model flavor: how one kind of model is written into an MLflow model directory and read back as a
 * {@link Predictor}. Flavors are passed to `saveModel`/`loadModel` explicitly (importing a flavor
 * package registers nothing), as store plugins are; `js_function` is always available.
 */
export interface Flavor<TModel = unknown> {
  /** The version of this contract the flavor implements (optional until every flavor states it). */
  readonly specificationVersion?: 'v1';
  /** The key under the MLmodel's `flavors` (`js_function`, `onnx`, `tfjs`). */
  readonly name: string;
  /** The npm package that provides this flavor, named in errors when a model needs it and it is not given. */
  readonly packageName: string;
  /** Writes `model` under `context.dir` and answers its MLmodel entries. */
  save(model: TModel, context: FlavorSaveContext): Promise<FlavorSaveResult>;
  /** Reads the model this flavor wrote (or MLflow's Python flavor of the same name wrote) from `context.dir`. */
  load(context: FlavorLoadContext): Promise<Predictor>;
}
