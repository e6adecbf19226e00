import { CairnError } from '@cairn/core';
import { enforceSignature } from './enforce-signature.js';
import type { Predictor } from './flavor.js';
import type { LoadedModel } from './loaded-model.js';
import type { MLmodel } from './mlmodel.js';
import type { ModelOutput, PredictParams } from './model-input.js';
import { isModelInput, toModelInput } from './to-model-input.js';

/** Wraps a flavor's predictor: converts plain inputs, enforces the MLmodel's signature, then predicts. */
export function createLoadedModel(options: {
  uri: string;
  mlmodel: MLmodel;
  flavor: string;
  predictor: Predictor;
}): LoadedModel {
  const { predictor, mlmodel } = options;
  let closed = false;
  return {
    uri: options.uri,
    mlmodel,
    flavor: options.flavor,
    async predict(input: unknown, params?: PredictParams): Promise<ModelOutput> {
      if (closed) {
        throw new CairnError('INVALID_STATE', `The model loaded from ${options.uri} was closed`);
      }
      const enforced = enforceSignature(toModelInput(input), params, mlmodel.signature, {
        tagged: isModelInput(input),
      });
      return predictor.predict(enforced.input, enforced.params);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await predictor.close?.();
    },
  };
}
