export { cairnVersion } from './cairn-version.js';
export { createLoadedModel } from './create-loaded-model.js';
export type { EnforceSignatureOptions } from './enforce-signature.js';
export { enforceSignature } from './enforce-signature.js';
export type {
  Flavor,
  FlavorLoadContext,
  FlavorSaveContext,
  FlavorSaveResult,
  Predictor,
} from './flavor.js';
export { describeFlavor, flavorLoaderName, flavorPackages } from './flavor-packages.js';
export { inferParams, inferSchema, inferSignature } from './infer-signature.js';
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
export type { LogModelOptions, ModelInfo } from './log-model.js';
export { logModel } from './log-model.js';
export type { MLmodel } from './mlmodel.js';
export {
  formatUtcTimeCreated,
  mlmodelFileName,
  parseMLmodel,
  readMLmodel,
  stringifyMLmodel,
  writeMLmodel,
} from './mlmodel-file.js';
export {
  downloadModel,
  downloadModelFiles,
  resolveModelArtifactUri,
  uploadModelFiles,
} from './model-files.js';
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
export type { CreateModelStoresOptions, ModelStores } from './model-stores.js';
export { createModelStores } from './model-stores.js';
export type { SaveModelOptions } from './save-model.js';
export { saveModel } from './save-model.js';
export type { ColSpec, ModelSignature, ParamSpec, Schema, TensorSpec } from './signature.js';
export {
  dataFrameFromRecords,
  dataFrameToRecords,
  isModelInput,
  tensorFromNested,
  tensorToNested,
  toExampleInput,
  toModelInput,
} from './to-model-input.js';
