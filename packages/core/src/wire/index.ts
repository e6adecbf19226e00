// @cairn/core/wire: the zod schemas of MLflow's JSON shapes, which the server parses requests with and
// @cairn/store-rest parses responses with. Browser-safe: zod and core only.
export {
  getLoggedModelArtifactRequest,
  getModelVersionArtifactRequest,
  getRunArtifactRequest,
} from './artifact-download-schemas.js';
export {
  listArtifactsResponse,
  wireFileInfo,
} from './artifact-response-schemas.js';
export {
  createLoggedModelRequest,
  finalizeLoggedModelRequest,
  getLoggedModelRequest,
  listLoggedModelArtifactsRequest,
  loggedModelIdRequest,
  logLoggedModelParamsRequest,
  searchLoggedModelsRequest,
  setLoggedModelTagsRequest,
} from './logged-model-request-schemas.js';
export {
  loggedModelResponse,
  searchLoggedModelsResponse,
  wireLoggedModel,
} from './logged-model-response-schemas.js';
export type { CreatePromptlabRunRequest } from './promptlab-schemas.js';
export { createPromptlabRunRequest } from './promptlab-schemas.js';
export {
  aliasRequest,
  createModelVersionRequest,
  createRegisteredModelRequest,
  deleteModelVersionTagRequest,
  deleteRegisteredModelTagRequest,
  getLatestVersionsRequest,
  modelVersionRequest,
  registeredModelNameRequest,
  renameRegisteredModelRequest,
  searchRegistryRequest,
  setAliasRequest,
  setModelVersionTagRequest,
  setRegisteredModelTagRequest,
  transitionStageRequest,
  updateModelVersionRequest,
  updateRegisteredModelRequest,
} from './registry-request-schemas.js';
export {
  getModelVersionDownloadUriResponse,
  modelVersionResponse,
  modelVersionsResponse,
  registeredModelResponse,
  searchRegisteredModelsResponse,
  wireModelVersion,
  wireRegisteredModel,
} from './registry-response-schemas.js';
export {
  abortMultipartUploadRequest,
  completeMultipartUploadRequest,
  createExperimentRequest,
  createMultipartUploadRequest,
  createRunRequest,
  deleteExperimentTagRequest,
  deleteTagRequest,
  experimentIdRequest,
  getExperimentByNameRequest,
  getMetricHistoryBulkIntervalRequest,
  getMetricHistoryBulkRequest,
  getMetricHistoryDownsampledRequest,
  getMetricHistoryRequest,
  listArtifactsRequest,
  listDeletedRunsRequest,
  listProxiedArtifactsRequest,
  logBatchRequest,
  logInputsRequest,
  logMetricRequest,
  logModelRequest,
  logOutputsRequest,
  logParamRequest,
  runIdRequest,
  searchDatasetsRequest,
  searchExperimentsRequest,
  searchRunsRequest,
  setExperimentTagRequest,
  setTagRequest,
  updateExperimentRequest,
  updateRunRequest,
} from './tracking-request-schemas.js';
export {
  createExperimentResponse,
  getExperimentResponse,
  getMetricHistoryBulkIntervalResponse,
  getMetricHistoryDownsampledResponse,
  getMetricHistoryResponse,
  listDeletedRunsResponse,
  runResponse,
  searchDatasetsResponse,
  searchExperimentsResponse,
  searchRunsResponse,
  updateRunResponse,
  wireExperiment,
  wireMetric,
  wireMetricWithRunId,
  wireRun,
  wireRunInfo,
} from './tracking-response-schemas.js';
export type { WireWebhook } from './webhook-schemas.js';
export {
  createWebhookRequest,
  listWebhooksRequest,
  listWebhooksResponse,
  testWebhookRequest,
  testWebhookResponse,
  toWireWebhook,
  updateWebhookRequest,
  webhookIdRequest,
  webhookResponse,
  wireWebhook,
  wireWebhookActionNumbers,
  wireWebhookEntityNumbers,
  wireWebhookEvent,
  wireWebhookStatusNumbers,
} from './webhook-schemas.js';
export { toWireJson } from './wire-json.js';
export {
  wireBool,
  wireDouble,
  wireEnum,
  wireInt64,
  wireKeyValue,
  wireList,
  wireRepeated,
  wireString,
  wireText,
} from './wire-types.js';
