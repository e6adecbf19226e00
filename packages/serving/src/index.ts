export type { GenerateDockerfileOptions, GeneratedDockerfile } from './generate-dockerfile.js';
export { generateDockerfile } from './generate-dockerfile.js';
export type { InvocationOptions, InvocationResponse } from './invocation.js';
export { answerInvocation, modelUriHeader, modelVersionHeader } from './invocation.js';
export type { ModelLoaderOptions } from './model-loader.js';
export { createModelLoader, importFlavorsFor } from './model-loader.js';
export type { BatchContentType, PredictBatchOptions, PredictBatchResult } from './predict-batch.js';
export { predictBatch } from './predict-batch.js';
export { dataFrameRecords, tensorToNestedLists, toJsonPredictions } from './predictions-json.js';
export type { RegisteredModelRoutesOptions } from './registered-model-routes.js';
export { registerRegisteredModelRoutes, servedUriFromPath } from './registered-model-routes.js';
export { createRegistryVersionResolver } from './registry-version-resolver.js';
export type { ContentType, InputFormat, ScoringRequest } from './scoring-request.js';
export {
  checkContentType,
  inputFormats,
  parseContentType,
  parseScoringJson,
  parseScoringRequest,
  UnsupportedContentTypeError,
} from './scoring-request.js';
export type { ScoringLimits } from './scoring-routes.js';
export {
  defaultMaxRequestBytes,
  defaultRequestTimeoutMs,
  registerInvocationsRoute,
} from './scoring-routes.js';
export type { RunningScoringServer, ScoringServerOptions, ServeModelOptions } from './scoring-server.js';
export { createScoringServer, scoringProtocolVersion, serveModel } from './scoring-server.js';
export type {
  ModelLease,
  ModelLoader,
  ModelVersionResolver,
  ResolvedServedModel,
  ServedModel,
  ServedModelEvent,
  ServedModelOptions,
  ServedModelStatus,
  ServingModel,
} from './served-model.js';
export { createServedModel, isMovingModelsUri } from './served-model.js';
