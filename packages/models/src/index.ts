export type {
  Flavor,
  FlavorLoadContext,
  FlavorSaveContext,
  FlavorSaveResult,
  Predictor,
} from './flavor.js';
export type { LoadedModel } from './loaded-model.js';
export type { MLmodel } from './mlmodel.js';
export {
  formatUtcTimeCreated,
  mlmodelFileName,
  parseMLmodel,
  readMLmodel,
  stringifyMLmodel,
  writeMLmodel,
} from './mlmodel-file.js';
export type {
  ColumnType,
  DataFrame,
  JsonInput,
  ModelInput,
  ModelOutput,
  PredictParams,
  Tensor,
  TensorDType,
  TensorMap,
} from './model-input.js';
export type { ColSpec, ModelSignature, ParamSpec, Schema, TensorSpec } from './signature.js';
