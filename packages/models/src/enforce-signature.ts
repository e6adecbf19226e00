import type { ModelInput, PredictParams } from './model-input.js';
import type { ModelSignature } from './signature.js';

/** Checks and converts an input and params against a signature (filled in with MLflow's rules next). */
export function enforceSignature(
  input: ModelInput,
  params: PredictParams | undefined,
  _signature: ModelSignature | undefined,
): { input: ModelInput; params: PredictParams } {
  return { input, params: params ?? {} };
}
