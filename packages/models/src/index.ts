export { cairnVersion } from './cairn-version.js';
export { createLoadedModel } from './create-loaded-model.js';
export type {
  Flavor,
  FlavorLoadContext,
  FlavorSaveContext,
  FlavorSaveResult,
  Predictor,
} from './flavor.js';
export { describeFlavor, flavorLoaderName } from './flavor-packages.js';
export {
  inputExampleFileName,
  saveInputExample,
  servingInputExampleFileName,
} from './input-example.js';
export type { JsFunctionModel } from './js-function-flavor.js';
export { jsFunctionFlavor, jsFunctionFlavorName } from './js-function-flavor.js';
export type {
  JsModel,
  JsModelContext,
  JsModelFunction,
  JsModelModule,
  JsModelObject,
} from './js-model-source.js';
export type { LoadModelFlavorOptions, LoadModelOptions } from './load-model.js';
export { loadModel, loadModelFromDirectory, pickFlavor } from './load-model.js';
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
export type { SaveModelOptions } from './save-model.js';
export { saveModel } from './save-model.js';
export type { ColSpec, ModelSignature, ParamSpec, Schema, TensorSpec } from './signature.js';
export {
  dataFrameFromRecords,
  dataFrameToRecords,
  isModelInput,
  tensorFromNested,
  tensorToNested,
  toModelInput,
} from './to-model-input.js';
