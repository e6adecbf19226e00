import type { TableSpec } from './table-spec.js';

/** Experiments, runs, params, metrics, tags, datasets and MLflow 3 logged models, as MLflow 3.18.0 lays them out. */
export const trackingTables: readonly TableSpec[] = [
  {
    name: 'experiments',
    columns: [
      'experiment_id serial not null',
      'name varchar(256) not null',
      'artifact_location varchar(256)',
      'lifecycle_stage varchar(32)',
      'creation_time bigint',
      'last_update_time bigint',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'experiment_pk', columns: ['experiment_id'] },
    uniques: [{ name: 'uq_experiments_workspace_name', columns: ['workspace', 'name'] }],
    checks: [{ name: 'experiments_lifecycle_stage', expression: "lifecycle_stage IN ('active', 'deleted')" }],
    indexes: [
      { name: 'idx_experiments_workspace', columns: ['workspace'] },
      { name: 'idx_experiments_workspace_creation_time', columns: ['workspace', 'creation_time'] },
    ],
  },
  {
    name: 'experiment_tags',
    columns: ['key varchar(250) not null', 'value mediumtext', 'experiment_id integer not null'],
    primaryKey: { name: 'experiment_tag_pk', columns: ['key', 'experiment_id'] },
    foreignKeys: [
      { columns: ['experiment_id'], references: 'experiments', referencedColumns: ['experiment_id'] },
    ],
  },
  {
    name: 'runs',
    columns: [
      'run_uuid varchar(32) not null',
      'name varchar(250)',
      'source_type varchar(20)',
      'source_name varchar(500)',
      'entry_point_name varchar(50)',
      'user_id varchar(256)',
      'status varchar(9)',
      'start_time bigint',
      'end_time bigint',
      'source_version varchar(50)',
      'lifecycle_stage varchar(20)',
      'artifact_uri varchar(200)',
      'experiment_id integer',
      'deleted_time bigint',
    ],
    primaryKey: { name: 'run_pk', columns: ['run_uuid'] },
    foreignKeys: [
      { columns: ['experiment_id'], references: 'experiments', referencedColumns: ['experiment_id'] },
    ],
    checks: [
      {
        name: 'source_type',
        expression: "source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')",
      },
      { name: 'runs_lifecycle_stage', expression: "lifecycle_stage IN ('active', 'deleted')" },
      { expression: "status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')" },
    ],
  },
  {
    name: 'metrics',
    columns: [
      'key varchar(250) not null',
      'value double not null',
      'timestamp bigint not null',
      'run_uuid varchar(32) not null',
      "step bigint default '0' not null",
      "is_nan boolean default '0' not null",
    ],
    primaryKey: { name: 'metric_pk', columns: ['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan'] },
    foreignKeys: [{ columns: ['run_uuid'], references: 'runs', referencedColumns: ['run_uuid'] }],
    checks: [
      { expression: 'is_nan IN (0, 1)', dialects: ['sqlite', 'mysql'] },
      // MLflow's MySQL migrations leave this check on metrics twice.
      { expression: 'is_nan IN (0, 1)', dialects: ['mysql'] },
    ],
    indexes: [
      { name: 'index_metrics_run_uuid', columns: ['run_uuid'] },
      { name: 'index_metrics_run_uuid_key_step', columns: ['run_uuid', 'key', 'step'] },
    ],
  },
  {
    name: 'latest_metrics',
    columns: [
      'key varchar(250) not null',
      'value double not null',
      'timestamp bigint',
      'step bigint not null',
      'is_nan boolean not null',
      'run_uuid varchar(32) not null',
    ],
    primaryKey: { name: 'latest_metric_pk', columns: ['key', 'run_uuid'] },
    foreignKeys: [{ columns: ['run_uuid'], references: 'runs', referencedColumns: ['run_uuid'] }],
    checks: [{ expression: 'is_nan IN (0, 1)', dialects: ['sqlite', 'mysql'] }],
    indexes: [{ name: 'index_latest_metrics_run_uuid', columns: ['run_uuid'] }],
  },
  {
    name: 'params',
    columns: ['key varchar(250) not null', 'value varchar(8000) not null', 'run_uuid varchar(32) not null'],
    primaryKey: { name: 'param_pk', columns: ['key', 'run_uuid'] },
    foreignKeys: [{ columns: ['run_uuid'], references: 'runs', referencedColumns: ['run_uuid'] }],
    indexes: [{ name: 'index_params_run_uuid', columns: ['run_uuid'] }],
  },
  {
    name: 'tags',
    columns: ['key varchar(250) not null', 'value varchar(8000)', 'run_uuid varchar(32) not null'],
    primaryKey: { name: 'tag_pk', columns: ['key', 'run_uuid'] },
    foreignKeys: [{ columns: ['run_uuid'], references: 'runs', referencedColumns: ['run_uuid'] }],
    indexes: [{ name: 'index_tags_run_uuid', columns: ['run_uuid'] }],
  },
  {
    name: 'datasets',
    columns: [
      'dataset_uuid varchar(36) not null',
      'experiment_id integer not null',
      'name varchar(500) not null',
      'digest varchar(36) not null',
      'dataset_source_type varchar(36) not null',
      'dataset_source text not null',
      'dataset_schema mediumtext',
      'dataset_profile mediumtext',
    ],
    primaryKey: { name: 'dataset_pk', columns: ['experiment_id', 'name', 'digest'] },
    foreignKeys: [
      {
        name: 'fk_datasets_experiment_id_experiments',
        columns: ['experiment_id'],
        references: 'experiments',
        referencedColumns: ['experiment_id'],
        actions: 'ON DELETE CASCADE',
      },
    ],
    indexes: [
      {
        name: 'index_datasets_experiment_id_dataset_source_type',
        columns: ['experiment_id', 'dataset_source_type'],
      },
      { name: 'index_datasets_dataset_uuid', columns: ['dataset_uuid'] },
    ],
  },
  {
    name: 'inputs',
    columns: [
      'input_uuid varchar(36) not null',
      'source_type varchar(36) not null',
      'source_id varchar(36) not null',
      'destination_type varchar(36) not null',
      'destination_id varchar(36) not null',
      "step bigint default '0' not null",
    ],
    primaryKey: {
      name: 'inputs_pk',
      columns: ['source_type', 'source_id', 'destination_type', 'destination_id'],
    },
    indexes: [
      { name: 'index_inputs_input_uuid', columns: ['input_uuid'] },
      {
        name: 'index_inputs_destination_type_destination_id_source_type',
        columns: ['destination_type', 'destination_id', 'source_type'],
      },
    ],
  },
  {
    name: 'input_tags',
    columns: ['input_uuid varchar(36) not null', 'name varchar(255) not null', 'value varchar(500) not null'],
    primaryKey: { name: 'input_tags_pk', columns: ['input_uuid', 'name'] },
  },
  {
    name: 'logged_models',
    columns: [
      'model_id varchar(36) not null',
      'experiment_id integer not null',
      'name varchar(500) not null',
      'artifact_location varchar(1000) not null',
      'creation_timestamp_ms bigint not null',
      'last_updated_timestamp_ms bigint not null',
      'status integer not null',
      'lifecycle_stage varchar(32)',
      'model_type varchar(500)',
      'source_run_id varchar(32)',
      'status_message varchar(1000)',
    ],
    primaryKey: { name: 'logged_models_pk', columns: ['model_id'] },
    foreignKeys: [
      {
        name: 'fk_logged_models_experiment_id',
        columns: ['experiment_id'],
        references: 'experiments',
        referencedColumns: ['experiment_id'],
        actions: 'ON DELETE CASCADE',
      },
    ],
    checks: [
      { name: 'logged_models_lifecycle_stage_check', expression: "lifecycle_stage IN ('active', 'deleted')" },
    ],
  },
  {
    name: 'logged_model_metrics',
    columns: [
      'model_id varchar(36) not null',
      'metric_name varchar(500) not null',
      'metric_timestamp_ms bigint not null',
      'metric_step bigint not null',
      'metric_value double',
      'experiment_id integer not null',
      'run_id varchar(32) not null',
      'dataset_uuid varchar(36)',
      'dataset_name varchar(500)',
      'dataset_digest varchar(36)',
    ],
    primaryKey: {
      name: 'logged_model_metrics_pk',
      columns: ['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id'],
    },
    foreignKeys: [
      {
        name: 'fk_logged_model_metrics_experiment_id',
        columns: ['experiment_id'],
        references: 'experiments',
        referencedColumns: ['experiment_id'],
      },
      {
        name: 'fk_logged_model_metrics_model_id',
        columns: ['model_id'],
        references: 'logged_models',
        referencedColumns: ['model_id'],
        actions: 'ON DELETE CASCADE',
      },
      {
        name: 'fk_logged_model_metrics_run_id',
        columns: ['run_id'],
        references: 'runs',
        referencedColumns: ['run_uuid'],
        actions: 'ON DELETE CASCADE',
      },
    ],
    indexes: [{ name: 'index_logged_model_metrics_model_id', columns: ['model_id'] }],
  },
  {
    name: 'logged_model_params',
    columns: [
      'model_id varchar(36) not null',
      'experiment_id integer not null',
      'param_key varchar(255) not null',
      'param_value text not null',
    ],
    primaryKey: { name: 'logged_model_params_pk', columns: ['model_id', 'param_key'] },
    foreignKeys: [
      {
        name: 'fk_logged_model_params_experiment_id',
        columns: ['experiment_id'],
        references: 'experiments',
        referencedColumns: ['experiment_id'],
      },
      {
        name: 'fk_logged_model_params_model_id',
        columns: ['model_id'],
        references: 'logged_models',
        referencedColumns: ['model_id'],
        actions: 'ON DELETE CASCADE',
      },
    ],
  },
  {
    name: 'logged_model_tags',
    columns: [
      'model_id varchar(36) not null',
      'experiment_id integer not null',
      'tag_key varchar(255) not null',
      'tag_value text not null',
    ],
    primaryKey: { name: 'logged_model_tags_pk', columns: ['model_id', 'tag_key'] },
    foreignKeys: [
      {
        name: 'fk_logged_model_tags_experiment_id',
        columns: ['experiment_id'],
        references: 'experiments',
        referencedColumns: ['experiment_id'],
      },
      {
        name: 'fk_logged_model_tags_model_id',
        columns: ['model_id'],
        references: 'logged_models',
        referencedColumns: ['model_id'],
        actions: 'ON DELETE CASCADE',
      },
    ],
  },
  {
    name: 'entity_associations',
    columns: [
      'association_id varchar(36) not null',
      'source_type varchar(36) not null',
      'source_id varchar(36) not null',
      'destination_type varchar(36) not null',
      'destination_id varchar(36) not null',
      'created_time bigint',
    ],
    primaryKey: {
      name: 'entity_associations_pk',
      columns: ['source_type', 'source_id', 'destination_type', 'destination_id'],
    },
    indexes: [
      { name: 'index_entity_associations_association_id', columns: ['association_id'] },
      {
        name: 'index_entity_associations_reverse_lookup',
        columns: ['destination_type', 'destination_id', 'source_type', 'source_id'],
      },
    ],
  },
];
