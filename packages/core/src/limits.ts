/** MLflow's server-side limits (mlflow/utils/validation.py), shared by every store and the server. */
export const limits = {
  /** Metric, param, run-tag and trace-tag keys. */
  maxEntityKeyLength: 250,
  /** Param values longer than this are truncated (MLflow's MLFLOW_TRUNCATE_LONG_VALUES default). */
  maxParamValueLength: 6000,
  /** Run-tag values longer than this are truncated. */
  maxTagValueLength: 8000,
  maxExperimentTagKeyLength: 250,
  /** Experiment-tag values longer than this are rejected. */
  maxExperimentTagValueLength: 5000,
  maxExperimentNameLength: 500,
  maxArtifactLocationLength: 2048,
  maxMetricsPerBatch: 1000,
  maxParamsPerBatch: 100,
  maxTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  maxDatasetNameLength: 500,
  maxDatasetDigestLength: 36,
  maxDatasetSourceLength: 65535,
  maxDatasetSchemaLength: 1048575,
  maxDatasetProfileLength: 16777215,
  maxInputTagKeyLength: 255,
  maxInputTagValueLength: 500,
  maxRegisteredModelTagValueLength: 100000,
  maxAliasLength: 255,
  /** search-runs: default and maximum page size. */
  searchRunsDefaultMaxResults: 1000,
  searchRunsMaxResults: 50000,
  searchExperimentsDefaultMaxResults: 1000,
  searchExperimentsMaxResults: 50000,
  /** Page size the Python client asks for when reading a metric's history. */
  metricHistoryPageSize: 25000,
  /** get-history-bulk and get-history-bulk-interval: run ids one request may name. */
  metricHistoryBulkMaxRunIds: 100,
  /** get-history-bulk-interval: default and largest number of steps sampled (MLflow's MAX_RESULTS_PER_RUN). */
  metricHistoryBulkIntervalMaxResults: 2500,
  /** get-history-downsampled (Cairn's): the most step intervals a range may be split into. */
  metricHistoryDownsampleMaxBuckets: 5000,
  searchRegisteredModelsMaxResults: 1000,
  searchModelVersionsMaxResults: 200000,
  searchTracesMaxResults: 500,
  /** search-datasets: experiment ids one request may name, and the most summaries it answers. */
  searchDatasetsMaxExperimentIds: 20,
  searchDatasetsMaxResults: 1000,
  /** search-logged-models: MLflow's proto default page size, and Cairn's cap (MLflow sets none). */
  searchLoggedModelsDefaultMaxResults: 50,
  searchLoggedModelsMaxResults: 50000,
} as const;
