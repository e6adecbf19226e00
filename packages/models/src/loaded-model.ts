import type { MLmodel } from './mlmodel.js';
import type { ModelOutput, PredictParams } from './model-input.js';

/**
 * A model `loadModel` opened, whatever flavor made it: Cairn's `python_function`. `predict` first enforces
 * the saved signature with MLflow's conversion rules, then calls the flavor's {@link Predictor}.
 *
 * Errors tell whose fault they are, which the scoring server turns into statuses: an input the signature
 * refuses (a missing, extra or mistyped column, a bad parameter) is a `CairnError` with
 * `INVALID_PARAMETER_VALUE` (400); anything the model itself throws is passed on as it is (500).
 */
export interface LoadedModel {
  /** The URI it was loaded from, as given. */
  readonly uri: string;
  /** The model's MLmodel. */
  readonly mlmodel: MLmodel;
  /** The flavor that loaded it (`js_function`, `onnx`...). */
  readonly flavor: string;
  /**
   * Predicts. `input` is a tagged `ModelInput` (taken as it is) or a plain value: an array of records or
   * an object of columns becomes a DataFrame, nested number arrays a tensor, anything else JSON.
   */
  predict(input: unknown, params?: PredictParams): Promise<ModelOutput>;
  /** Releases the model's resources; predicting afterwards fails. */
  close(): Promise<void>;
}
