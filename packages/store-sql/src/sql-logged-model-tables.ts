/**
 * Kysely row types of MLflow 3's logged-model tables (`logged_models` and its params, tags and metrics),
 * as MLflow 3.18.0 lays them out. `status` is the proto number; integers may come back as strings.
 */
export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number | string;
  last_updated_timestamp_ms: number | string;
  status: number | string;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

export interface LoggedModelParamsTable {
  model_id: string;
  experiment_id: number;
  param_key: string;
  param_value: string;
}

export interface LoggedModelTagsTable {
  model_id: string;
  experiment_id: number;
  tag_key: string;
  tag_value: string;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number | string;
  metric_step: number | string;
  metric_value: number | string | null;
  experiment_id: number;
  run_id: string;
  dataset_uuid: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** The logged-model tables as Kysely sees them. */
export interface LoggedModelDatabase {
  logged_models: LoggedModelsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_model_metrics: LoggedModelMetricsTable;
}
