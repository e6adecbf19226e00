export { normaliseArtifactPath } from './artifact-path.js';
export type {
  ArtifactBody,
  ArtifactStore,
  ArtifactStoreCapabilities,
  ArtifactStoreResolver,
  MultipartUpload,
} from './contracts/artifact-store.js';
export type {
  CreateLoggedModelInput,
  FinalizeLoggedModelInput,
  GetLoggedModelOptions,
  LoggedModelDatasetFilter,
  LoggedModelOrderBy,
  LoggedModelStore,
  SearchLoggedModelsInput,
} from './contracts/logged-model-store.js';
export type { Page, PageRequest } from './contracts/page.js';
export type {
  CreateModelVersionInput,
  RegistryStore,
  RegistryStoreCapabilities,
  SearchRegistryInput,
} from './contracts/registry-store.js';
export type {
  Awaitable,
  StoreEnvironment,
  StoreOpenContext,
  StorePlugin,
} from './contracts/store-plugin.js';
export type { SearchTracesInput, TraceStore, TraceStoreCapabilities } from './contracts/trace-store.js';
export type {
  CreateExperimentInput,
  CreateRunInput,
  DeletedRun,
  GetMetricHistoryBulkIntervalInput,
  GetMetricHistoryDownsampledInput,
  GetMetricHistoryInput,
  ListDeletedRunsInput,
  LogBatchInput,
  LogInputsInput,
  LogOutputsInput,
  SearchDatasetsInput,
  SearchExperimentsInput,
  SearchRunsInput,
  TrackingStore,
  TrackingStoreCapabilities,
  TrackingStoreFactory,
  UpdateRunInput,
} from './contracts/tracking-store.js';
export type {
  CreateWebhookInput,
  UpdateWebhookInput,
  WebhookStore,
} from './contracts/webhook-store.js';
export type {
  LifecycleStage,
  LoggedModelStatus,
  ModelVersionStage,
  ModelVersionStatus,
  RunStatus,
  SourceType,
  TraceState,
  ViewType,
} from './entities/enums.js';
export {
  enumFromWire,
  lifecycleStageSchema,
  loggedModelStatusNumber,
  loggedModelStatusSchema,
  modelVersionStageSchema,
  modelVersionStatusSchema,
  runStatusNumber,
  runStatusSchema,
  sourceTypeNumber,
  sourceTypeSchema,
  traceStateSchema,
  viewTypeNumber,
  viewTypeSchema,
} from './entities/enums.js';
export type {
  LoggedModel,
  LoggedModelData,
  LoggedModelInfo,
  LoggedModelParameter,
  LoggedModelRegistration,
  LoggedModelTag,
} from './entities/logged-model.js';
export {
  loggedModelDataSchema,
  loggedModelInfoSchema,
  loggedModelParameterSchema,
  loggedModelRegistrationSchema,
  loggedModelSchema,
  loggedModelTagSchema,
} from './entities/logged-model.js';
export type {
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelTag,
} from './entities/registry.js';
export {
  modelVersionSchema,
  modelVersionTagSchema,
  registeredModelAliasSchema,
  registeredModelSchema,
  registeredModelTagSchema,
} from './entities/registry.js';
export type { Span, SpanEvent, TraceInfo, TraceLocation } from './entities/tracing.js';
export { spanEventSchema, spanSchema, traceInfoSchema, traceLocationSchema } from './entities/tracing.js';
export type {
  Dataset,
  DatasetInput,
  DatasetSummary,
  Experiment,
  ExperimentTag,
  FileInfo,
  InputTag,
  Metric,
  MetricWithRunId,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunData,
  RunInfo,
  RunInputs,
  RunOutputs,
  RunTag,
} from './entities/tracking.js';
export {
  datasetInputSchema,
  datasetSchema,
  datasetSummarySchema,
  experimentSchema,
  experimentTagSchema,
  fileInfoSchema,
  inputTagSchema,
  metricSchema,
  metricWithRunIdSchema,
  modelInputSchema,
  modelOutputSchema,
  paramSchema,
  runDataSchema,
  runInfoSchema,
  runInputsSchema,
  runOutputsSchema,
  runSchema,
  runTagSchema,
} from './entities/tracking.js';
export type {
  Webhook,
  WebhookAction,
  WebhookEntity,
  WebhookEvent,
  WebhookStatus,
  WebhookTestResult,
} from './entities/webhook.js';
export {
  webhookActionSchema,
  webhookEntityActions,
  webhookEntitySchema,
  webhookEventName,
  webhookEventSchema,
  webhookSchema,
  webhookStatusSchema,
  webhookTestResultSchema,
} from './entities/webhook.js';
export type { CairnErrorOptions, ErrorCode } from './errors.js';
export {
  alreadyExists,
  CairnError,
  doesNotExist,
  errorCodeForHttpStatus,
  errorCodeHttpStatus,
  errorCodes,
  httpStatusForErrorCode,
  invalidParameter,
  isErrorCode,
  toCairnError,
} from './errors.js';
export {
  createExperimentId,
  createLoggedModelId,
  createRunId,
  createTraceId,
  defaultExperiment,
} from './ids.js';
export { isLaterMetric, latestMetrics } from './latest-metric.js';
export { limits } from './limits.js';
export type { LoggedModelOrderClause } from './logged-models/logged-model-search.js';
export {
  latestLoggedModelMetrics,
  loggedModelMetricValue,
  metricInDatasets,
  parseLoggedModelFilter,
  resolveLoggedModelOrder,
  validateLoggedModelDatasets,
} from './logged-models/logged-model-search.js';
export {
  loggedModelNotFound,
  loggedModelStatusCode,
  loggedModelStatusFromCode,
  loggedModelStatusFromFilter,
  loggedModelTagNotFound,
  maxLoggedModelNameLength,
  validateLoggedModelName,
  validateLoggedModelParams,
  validateLoggedModelStatus,
  validateLoggedModelTags,
} from './logged-models/logged-model-validation.js';
export { loggedModelArtifactLocation, newLoggedModel } from './logged-models/new-logged-model.js';
export {
  loggedModelAttribute,
  matchesLoggedModel,
  searchLoggedModelsInMemory,
} from './logged-models/search-logged-models-in-memory.js';
export type { MetricHistoryPageInput, MetricHistoryPosition } from './metric-history.js';
export {
  compareMetricHistory,
  decodeMetricHistoryToken,
  encodeMetricHistoryToken,
  isSameMetricPoint,
  metricHistoryPageSize,
  pageMetricHistory,
} from './metric-history.js';
export type {
  MetricHistoryDownsampleReader,
  MetricStepBuckets,
} from './metric-history-downsampling.js';
export {
  bucketExtremesOfPoints,
  downsampleMetricHistory,
  metricHistoryDownsampleReaderFromPoints,
  metricStepBucket,
  validateMetricHistoryDownsampled,
} from './metric-history-downsampling.js';
export type {
  MetricHistorySampleReader,
  MetricStepBounds,
  MetricStepRange,
} from './metric-history-sampling.js';
export {
  metricHistorySampleReaderFromPoints,
  sampledStepRanks,
  sampleMetricHistoryBulkInterval,
  sampleSortedSteps,
  validateMetricHistoryBulkInterval,
} from './metric-history-sampling.js';
export { type OpenedStores, openArtifactStore, openStores } from './open-stores.js';
export type { ModelUri } from './registry/model-uri.js';
export { parseModelUri } from './registry/model-uri.js';
export {
  defaultModelVersionOrder,
  effectiveModelVersionOrder,
  effectiveRegisteredModelOrder,
  isPromptClause,
  isPromptQuery,
  modelVersionsMaxResults,
  promptTagKey,
  registeredModelsMaxResults,
  searchModelVersionsInMemory,
  searchRegisteredModelsInMemory,
} from './registry/registry-search.js';
export {
  activeModelVersionStages,
  canonicalStage,
  deletedModelVersionStage,
  latestAlias,
  modelVersionStages,
  validateAliasName,
  validateModelName,
  validateModelVersionNumber,
  validateNewAliasName,
  validateRegistryTag,
} from './registry/registry-validation.js';
export { generateRunName, isGeneratedRunName } from './run-name.js';
export { resolveRunName } from './run-name-tag.js';
export type { MaxResultsRule } from './search/max-results.js';
export { resolveMaxResults } from './search/max-results.js';
export { parseOrderBy } from './search/order-by.js';
export type { JsonValue, PageTokenQuery } from './search/page-token.js';
export { decodePageToken, encodePageToken } from './search/page-token.js';
export type {
  Comparator,
  Comparison,
  OrderByClause,
  SearchEntity,
  SearchFilter,
  SearchTarget,
} from './search/search-ast.js';
export type { ExperimentDatasetInputs } from './search/search-datasets.js';
export { summariseDatasetInputs, validateSearchDatasetsInput } from './search/search-datasets.js';
export { compareExperiments, compareRuns, matchesExperiment, matchesRun } from './search/search-evaluator.js';
export { parseSearchFilter } from './search/search-filter.js';
export type { InMemorySearchInput } from './search/search-in-memory.js';
export { searchExperimentsInMemory, searchRunsInMemory } from './search/search-in-memory.js';
export { systemTags } from './tags.js';
export type { ArtifactUri, RunsUri, TrackingUri } from './uris.js';
export {
  joinArtifactUri,
  parseArtifactUri,
  parseRunsUri,
  parseTrackingUri,
  pathToFileUri,
  resolveArtifactLocation,
} from './uris.js';
export type { LogBatchContent } from './validation.js';
export {
  validateArtifactLocation,
  validateDatasetInputs,
  validateEntityKey,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunTag,
} from './validation.js';
export {
  validateCreateWebhookInput,
  validateUpdateWebhookInput,
  validateWebhookEvent,
  validateWebhookEvents,
  validateWebhookName,
  validateWebhookUrl,
  webhookLimits,
  webhookNextPageToken,
  webhookNotFoundMessage,
  webhookPageWindow,
} from './webhooks/webhook-validation.js';
export {
  assertExperimentActive,
  assertParamsUnchanged,
  assertRunActive,
  matchesViewType,
} from './write-guards.js';
