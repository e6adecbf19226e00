import { enforceColumnSchema } from './enforce-columns.js';
import { enforceParams } from './enforce-params.js';
import { enforceTensorSchema } from './enforce-tensors.js';
import type { ModelInput, PredictParams } from './model-input.js';
import type { ModelSignature } from './signature.js';

/** Options of {@link enforceSignature}. */
export interface EnforceSignatureOptions {
  /** The caller gave a tagged input (its tensors' dtypes are stated, so they must match exactly). */
  readonly tagged?: boolean;
}

/**
 * Checks an input and params against a model's signature with MLflow's rules, converting where MLflow
 * converts: a column-based schema turns the input into a table of the schema's columns, a tensor-based one
 * into the tensor(s) it declares, and params get their defaults. A refusal is a CairnError with
 * INVALID_PARAMETER_VALUE naming the column, tensor or param and the type expected. Without a signature (or
 * without its inputs part) the input passes as it is.
 */
export function enforceSignature(
  input: ModelInput,
  params: PredictParams | undefined,
  signature: ModelSignature | undefined,
  options: EnforceSignatureOptions = {},
): { input: ModelInput; params: PredictParams } {
  const enforcedParams = enforceParams(params, signature?.params);
  const schema = signature?.inputs;
  if (schema === undefined)
    return { input, params: signature?.params === undefined ? (params ?? {}) : enforcedParams };
  if (schema.kind === 'columns') {
    if (schema.columns.length === 0) return { input, params: enforcedParams };
    return { input: enforceColumnSchema(input, schema.columns), params: enforcedParams };
  }
  return {
    input: enforceTensorSchema(input, schema.tensors, options.tagged ?? false),
    params: enforcedParams,
  };
}
