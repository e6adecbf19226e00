import type { Generated } from 'kysely';
import type { LoggedModelDatabase } from './sql-logged-model-tables.js';
import type { RegistryDatabase } from './sql-registry-tables.js';

/**
 * Kysely row types of the MLflow tables Cairn reads and writes. Integers may come back as strings
 * (PostgreSQL BIGINT) and booleans as 0/1 (SQLite, MySQL), so readers normalise through `sql-values.ts`.
 */
export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | string | null;
  last_update_time: number | string | null;
  workspace: Generated<string>;
}

export interface ExperimentTagsTable {
  key: string;
  value: string | null;
  experiment_id: number;
}

export interface RunsTable {
  run_uuid: string;
  name: string | null;
  source_type: string | null;
  source_name: string | null;
  entry_point_name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | string | null;
  end_time: number | string | null;
  source_version: string | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number;
  deleted_time: number | string | null;
}

export interface MetricsTable {
  key: string;
  value: number;
  timestamp: number | string;
  step: number | string;
  is_nan: boolean | number;
  run_uuid: string;
}

export interface KeyValueRunTable {
  key: string;
  value: string | null;
  run_uuid: string;
}

export interface ParamsTable {
  key: string;
  value: string;
  run_uuid: string;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
  step: Generated<number | string>;
}

export interface InputTagsTable {
  input_uuid: string;
  name: string;
  value: string;
}

export interface AlembicVersionTable {
  version_num: string;
}

/** The database as Kysely sees it. */
export interface MlflowDatabase extends LoggedModelDatabase, RegistryDatabase {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  params: ParamsTable;
  tags: KeyValueRunTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: InputTagsTable;
  alembic_version: AlembicVersionTable;
}
