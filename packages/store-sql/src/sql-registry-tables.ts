import type { Generated } from 'kysely';

/**
 * Kysely row types of MLflow's model-registry tables, as MLflow 3.18.0 lays them out. Every row carries a
 * `workspace` (MLflow's default `default` unless workspaces are enabled); integers may come back as strings.
 */
export interface RegisteredModelsTable {
  name: string;
  creation_time: number | string | null;
  last_updated_time: number | string | null;
  description: string | null;
  workspace: Generated<string>;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number | string | null;
  last_updated_time: number | string | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  status_message: string | null;
  run_link: string | null;
  storage_location: string | null;
  workspace: Generated<string>;
}

export interface RegisteredModelTagsTable {
  key: string;
  value: string | null;
  name: string;
  workspace: Generated<string>;
}

export interface ModelVersionTagsTable {
  key: string;
  value: string | null;
  name: string;
  version: number;
  workspace: Generated<string>;
}

export interface RegisteredModelAliasesTable {
  alias: string;
  version: number;
  name: string;
  workspace: Generated<string>;
}

export interface WebhooksTable {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: Generated<string>;
  secret: string | null;
  creation_timestamp: number | string | null;
  last_updated_timestamp: number | string | null;
  deleted_timestamp: number | string | null;
  workspace: Generated<string>;
}

export interface WebhookEventsTable {
  webhook_id: string;
  entity: string;
  action: string;
}

/** The registry tables as Kysely sees them. */
export interface RegistryDatabase {
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
  webhooks: WebhooksTable;
  webhook_events: WebhookEventsTable;
}
