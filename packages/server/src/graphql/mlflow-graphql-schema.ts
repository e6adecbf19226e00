import { buildSchema, type GraphQLSchema } from 'graphql';

// MLflow's GraphQL schema as its web UI and clients query it (mlflow/server/graphql, MLflow 3.x): the types
// mirror MLflow's protobuf messages with camelCase fields, int64 values travel as the LongString scalar, and
// every response type carries an `apiError` field that stays null (failures are GraphQL errors instead).
const typeDefinitions = /* GraphQL */ `
  "Tags an operation with the UI component that sent it (kept for compatibility; the server ignores it)."
  directive @component(name: String!) on QUERY | MUTATION

  "A 64-bit integer written as a decimal string, so JavaScript clients do not lose precision."
  scalar LongString

  type Query {
    mlflowGetExperiment(input: MlflowGetExperimentInput): MlflowGetExperimentResponse
    mlflowGetMetricHistoryBulkInterval(
      input: MlflowGetMetricHistoryBulkIntervalInput
    ): MlflowGetMetricHistoryBulkIntervalResponse
    mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
    mlflowListArtifacts(input: MlflowListArtifactsInput): MlflowListArtifactsResponse
    mlflowSearchModelVersions(input: MlflowSearchModelVersionsInput): MlflowSearchModelVersionsResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
    "Answers its argument: a probe that the endpoint is up."
    test(inputString: String): Test
  }

  type Mutation {
    mlflowSearchDatasets(input: MlflowSearchDatasetsInput): MlflowSearchDatasetsResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
    "Answers its argument: a probe that mutations are accepted."
    testMutation(inputString: String): TestMutation
  }

  type Test {
    output: String
  }

  type TestMutation {
    output: String
  }

  type ApiError {
    code: String
    message: String
    helpUrl: String
    traceId: String
    errorDetails: [ErrorDetail]
  }

  type ErrorDetail {
    field: String
    message: String
  }

  enum MlflowViewType {
    ACTIVE_ONLY
    DELETED_ONLY
    ALL
  }

  enum MlflowRunStatus {
    RUNNING
    SCHEDULED
    FINISHED
    FAILED
    KILLED
  }

  enum MlflowModelVersionStatus {
    PENDING_REGISTRATION
    FAILED_REGISTRATION
    READY
  }

  enum MlflowDeploymentJobConnectionState {
    DEPLOYMENT_JOB_CONNECTION_STATE_UNSPECIFIED
    NOT_SET_UP
    CONNECTED
    NOT_FOUND
    REQUIRED_PARAMETERS_CHANGED
  }

  enum MlflowModelVersionDeploymentJobStateDeploymentJobRunState {
    DEPLOYMENT_JOB_RUN_STATE_UNSPECIFIED
    NO_VALID_DEPLOYMENT_JOB_FOUND
    RUNNING
    SUCCEEDED
    FAILED
    PENDING
    APPROVAL
  }

  input MlflowGetExperimentInput {
    experimentId: String
  }

  type MlflowGetExperimentResponse {
    experiment: MlflowExperiment
    apiError: ApiError
  }

  type MlflowExperiment {
    experimentId: String
    name: String
    artifactLocation: String
    lifecycleStage: String
    lastUpdateTime: LongString
    creationTime: LongString
    tags: [MlflowExperimentTag!]
  }

  type MlflowExperimentTag {
    key: String
    value: String
  }

  input MlflowGetRunInput {
    runId: String
    runUuid: String
  }

  type MlflowGetRunResponse {
    run: MlflowRunExtension
    apiError: ApiError
  }

  input MlflowSearchRunsInput {
    experimentIds: [String]
    filter: String
    runViewType: MlflowViewType = null
    maxResults: Int
    orderBy: [String]
    pageToken: String
  }

  type MlflowSearchRunsResponse {
    runs: [MlflowRunExtension!]
    nextPageToken: String
    apiError: ApiError
  }

  "A run, with the experiment it belongs to and the registered model versions made from it."
  type MlflowRunExtension {
    info: MlflowRunInfo
    data: MlflowRunData
    inputs: MlflowRunInputs
    outputs: MlflowRunOutputs
    experiment: MlflowExperiment
    "Null when the server has no model registry."
    modelVersions: [MlflowModelVersion!]
  }

  type MlflowRunInfo {
    runId: String
    runUuid: String
    runName: String
    experimentId: String
    userId: String
    status: MlflowRunStatus
    startTime: LongString
    endTime: LongString
    artifactUri: String
    lifecycleStage: String
  }

  type MlflowRunData {
    metrics: [MlflowMetricExtension!]
    params: [MlflowParam!]
    tags: [MlflowRunTag!]
  }

  "A run's latest value of a metric; a NaN value reads as null, since GraphQL's Float has no NaN."
  type MlflowMetricExtension {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    datasetName: String
    datasetDigest: String
    modelId: String
    runId: String
  }

  type MlflowParam {
    key: String
    value: String
  }

  type MlflowRunTag {
    key: String
    value: String
  }

  type MlflowRunInputs {
    datasetInputs: [MlflowDatasetInput!]
    modelInputs: [MlflowModelInput!]
  }

  type MlflowDatasetInput {
    tags: [MlflowInputTag!]
    dataset: MlflowDataset
  }

  type MlflowInputTag {
    key: String
    value: String
  }

  type MlflowDataset {
    name: String
    digest: String
    sourceType: String
    source: String
    schema: String
    profile: String
  }

  type MlflowModelInput {
    modelId: String
  }

  type MlflowRunOutputs {
    modelOutputs: [MlflowModelOutput!]
  }

  type MlflowModelOutput {
    modelId: String
    step: LongString
  }

  input MlflowGetMetricHistoryBulkIntervalInput {
    runIds: [String]
    metricKey: String
    startStep: Int
    endStep: Int
    maxResults: Int
  }

  type MlflowGetMetricHistoryBulkIntervalResponse {
    metrics: [MlflowMetricWithRunId!]
    apiError: ApiError
  }

  type MlflowMetricWithRunId {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    runId: String
  }

  input MlflowListArtifactsInput {
    runId: String
    runUuid: String
    path: String
    pageToken: String
  }

  type MlflowListArtifactsResponse {
    rootUri: String
    files: [MlflowFileInfo!]
    nextPageToken: String
    apiError: ApiError
  }

  type MlflowFileInfo {
    path: String
    isDir: Boolean
    fileSize: LongString
  }

  input MlflowSearchDatasetsInput {
    experimentIds: [String]
  }

  type MlflowSearchDatasetsResponse {
    datasetSummaries: [MlflowDatasetSummary!]
    apiError: ApiError
  }

  type MlflowDatasetSummary {
    experimentId: String
    name: String
    digest: String
    context: String
  }

  input MlflowSearchModelVersionsInput {
    filter: String
    maxResults: LongString
    orderBy: [String]
    pageToken: String
  }

  type MlflowSearchModelVersionsResponse {
    modelVersions: [MlflowModelVersion!]
    nextPageToken: String
    apiError: ApiError
  }

  type MlflowModelVersion {
    name: String
    version: String
    creationTimestamp: LongString
    lastUpdatedTimestamp: LongString
    userId: String
    currentStage: String
    description: String
    source: String
    runId: String
    status: MlflowModelVersionStatus
    statusMessage: String
    tags: [MlflowModelVersionTag!]
    runLink: String
    aliases: [String]
    modelId: String
    modelParams: [MlflowModelParam!]
    modelMetrics: [MlflowModelMetric!]
    deploymentJobState: MlflowModelVersionDeploymentJobState
  }

  type MlflowModelVersionTag {
    key: String
    value: String
  }

  type MlflowModelParam {
    name: String
    value: String
  }

  type MlflowModelMetric {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    datasetName: String
    datasetDigest: String
    modelId: String
    runId: String
  }

  type MlflowModelVersionDeploymentJobState {
    jobId: String
    runId: String
    jobState: MlflowDeploymentJobConnectionState
    runState: MlflowModelVersionDeploymentJobStateDeploymentJobRunState
    currentTaskName: String
  }
`;

let schema: GraphQLSchema | undefined;

/** MLflow's GraphQL schema, built on first use. Resolution is {@link mlflowFieldResolver}'s job. */
export function mlflowGraphqlSchema(): GraphQLSchema {
  schema ??= buildSchema(typeDefinitions);
  return schema;
}
