import type { TableSpec } from './table-spec.js';

/** The model registry and its webhooks, as MLflow 3.18.0 lays them out. */
export const registryTables: readonly TableSpec[] = [
  {
    name: 'registered_models',
    columns: [
      'name varchar(256) not null',
      'creation_time bigint',
      'last_updated_time bigint',
      'description varchar(5000)',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'registered_model_pk', columns: ['workspace', 'name'] },
    indexes: [{ name: 'idx_registered_models_workspace', columns: ['workspace'] }],
  },
  {
    name: 'model_versions',
    columns: [
      'name varchar(256) not null',
      'version integer not null',
      'creation_time bigint',
      'last_updated_time bigint',
      'description varchar(5000)',
      'user_id varchar(256)',
      'current_stage varchar(20)',
      'source varchar(500)',
      'run_id varchar(32)',
      'status varchar(20)',
      'status_message varchar(500)',
      'run_link varchar(500)',
      'storage_location varchar(500)',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'model_version_pk', columns: ['workspace', 'name', 'version'] },
    foreignKeys: [
      {
        name: 'fk_model_versions_registered_models',
        columns: ['workspace', 'name'],
        references: 'registered_models',
        referencedColumns: ['workspace', 'name'],
        actions: 'ON UPDATE CASCADE',
      },
    ],
  },
  {
    name: 'registered_model_tags',
    columns: [
      'key varchar(250) not null',
      'value varchar(5000)',
      'name varchar(256) not null',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'registered_model_tag_pk', columns: ['workspace', 'key', 'name'] },
    foreignKeys: [
      {
        name: 'fk_registered_model_tags_registered_models',
        columns: ['workspace', 'name'],
        references: 'registered_models',
        referencedColumns: ['workspace', 'name'],
        actions: 'ON UPDATE CASCADE',
      },
    ],
    indexes: [
      { name: 'idx_registered_model_tags_workspace_name', columns: ['workspace', 'name'] },
      // Left on MySQL by an earlier foreign key on (name) alone.
      { name: 'name', columns: ['name'], dialects: ['mysql'] },
    ],
  },
  {
    name: 'model_version_tags',
    columns: [
      'key varchar(250) not null',
      'value text',
      'name varchar(256) not null',
      'version integer not null',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'model_version_tag_pk', columns: ['workspace', 'key', 'name', 'version'] },
    foreignKeys: [
      {
        name: 'fk_model_version_tags_model_versions',
        columns: ['workspace', 'name', 'version'],
        references: 'model_versions',
        referencedColumns: ['workspace', 'name', 'version'],
        actions: 'ON UPDATE CASCADE',
      },
    ],
    indexes: [
      { name: 'idx_model_version_tags_workspace_name_version', columns: ['workspace', 'name', 'version'] },
      // Left on MySQL by an earlier foreign key on (name, version).
      { name: 'name', columns: ['name', 'version'], dialects: ['mysql'] },
    ],
  },
  {
    name: 'registered_model_aliases',
    columns: [
      'alias varchar(256) not null',
      'version integer not null',
      'name varchar(256) not null',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'registered_model_alias_pk', columns: ['workspace', 'name', 'alias'] },
    foreignKeys: [
      {
        name: 'fk_registered_model_aliases_registered_models',
        columns: ['workspace', 'name'],
        references: 'registered_models',
        referencedColumns: ['workspace', 'name'],
        actions: 'ON DELETE CASCADE ON UPDATE CASCADE',
      },
    ],
  },
  {
    name: 'webhooks',
    columns: [
      'webhook_id varchar(256) not null',
      'name varchar(256) not null',
      'description varchar(1000)',
      'url varchar(500) not null',
      "status varchar(20) default 'ACTIVE' not null",
      'secret varchar(1000)',
      'creation_timestamp bigint',
      'last_updated_timestamp bigint',
      'deleted_timestamp bigint',
      "workspace varchar(63) default 'default' not null",
    ],
    primaryKey: { name: 'webhook_pk', columns: ['webhook_id'] },
    indexes: [
      { name: 'idx_webhooks_status', columns: ['status'] },
      { name: 'idx_webhooks_name', columns: ['name'] },
      { name: 'idx_webhooks_workspace', columns: ['workspace'] },
    ],
  },
  {
    name: 'webhook_events',
    columns: [
      'webhook_id varchar(256) not null',
      'entity varchar(50) not null',
      'action varchar(50) not null',
    ],
    primaryKey: { name: 'webhook_event_pk', columns: ['webhook_id', 'entity', 'action'] },
    foreignKeys: [
      {
        columns: ['webhook_id'],
        references: 'webhooks',
        referencedColumns: ['webhook_id'],
        actions: 'ON DELETE CASCADE',
      },
    ],
    indexes: [
      { name: 'idx_webhook_events_entity', columns: ['entity'] },
      { name: 'idx_webhook_events_action', columns: ['action'] },
      { name: 'idx_webhook_events_entity_action', columns: ['entity', 'action'] },
    ],
  },
];
