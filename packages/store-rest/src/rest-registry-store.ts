import type { ModelVersion, Page, RegisteredModel, RegistryStore, SearchRegistryInput } from '@cairn/core';
import { createRestTransport, type RestTransport, type RestTransportOptions } from './rest-transport.js';

const api = '/api/2.0/mlflow';

type WireModelVersion = Omit<
  ModelVersion,
  'tags' | 'aliases' | 'creation_timestamp' | 'last_updated_timestamp'
> & {
  tags?: ModelVersion['tags'];
  aliases?: string[];
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
};

type WireRegisteredModel = Omit<
  RegisteredModel,
  'tags' | 'aliases' | 'latest_versions' | 'creation_timestamp' | 'last_updated_timestamp'
> & {
  tags?: RegisteredModel['tags'];
  aliases?: RegisteredModel['aliases'];
  latest_versions?: WireModelVersion[];
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
};

/** Fills the lists protobuf JSON omits when empty; int64 timestamps may arrive as strings. */
function fromWireVersion(version: WireModelVersion): ModelVersion {
  const { creation_timestamp, last_updated_timestamp, ...rest } = version;
  return {
    ...rest,
    creation_timestamp: Number(creation_timestamp ?? 0),
    ...(last_updated_timestamp === undefined
      ? {}
      : { last_updated_timestamp: Number(last_updated_timestamp) }),
    tags: version.tags ?? [],
    aliases: version.aliases ?? [],
  };
}

function fromWireModel(model: WireRegisteredModel): RegisteredModel {
  const { creation_timestamp, last_updated_timestamp, ...rest } = model;
  return {
    ...rest,
    creation_timestamp: Number(creation_timestamp ?? 0),
    ...(last_updated_timestamp === undefined
      ? {}
      : { last_updated_timestamp: Number(last_updated_timestamp) }),
    tags: model.tags ?? [],
    aliases: model.aliases ?? [],
    latest_versions: (model.latest_versions ?? []).map(fromWireVersion),
  };
}

const page = <T>(items: T[], token: unknown): Page<T> =>
  typeof token === 'string' && token !== '' ? { items, nextPageToken: token } : { items };

const searchQuery = (input: SearchRegistryInput) => ({
  filter: input.filter,
  max_results: input.maxResults,
  order_by: input.orderBy,
  page_token: input.pageToken,
});

/** Options of {@link createRestRegistryStore}. */
export type RestRegistryStoreOptions = RestTransportOptions;

/**
 * A RegistryStore over an MLflow-compatible server's model-registry REST API (a Cairn server or MLflow's
 * own), with MLflow's retries, timeouts and authentication.
 */
export function createRestRegistryStore(
  options: RestRegistryStoreOptions | { transport: RestTransport },
): RegistryStore {
  const transport = 'transport' in options ? options.transport : createRestTransport(options);
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body: Record<string, unknown> = {},
  ) => (await transport.json(method, `${api}${path}`, body)) as T;
  const model = async (method: 'GET' | 'POST' | 'PATCH', path: string, body: Record<string, unknown>) =>
    fromWireModel(
      (await call<{ registered_model: WireRegisteredModel }>(method, path, body)).registered_model,
    );
  const version = async (method: 'GET' | 'POST' | 'PATCH', path: string, body: Record<string, unknown>) =>
    fromWireVersion((await call<{ model_version: WireModelVersion }>(method, path, body)).model_version);

  return {
    specificationVersion: 'v1',
    capabilities: { searchPushdown: true },

    createRegisteredModel: (input) =>
      model('POST', '/registered-models/create', {
        name: input.name,
        tags: input.tags,
        description: input.description,
      }),
    getRegisteredModel: (name) => model('GET', '/registered-models/get', { name }),
    renameRegisteredModel: (name, newName) =>
      model('POST', '/registered-models/rename', { name, new_name: newName }),
    updateRegisteredModel: (name, description) =>
      model('PATCH', '/registered-models/update', { name, description }),
    deleteRegisteredModel: async (name) => {
      await call('DELETE', '/registered-models/delete', { name });
    },
    searchRegisteredModels: async (input) => {
      const response = await call<{ registered_models?: WireRegisteredModel[]; next_page_token?: string }>(
        'GET',
        '/registered-models/search',
        searchQuery(input),
      );
      return page((response.registered_models ?? []).map(fromWireModel), response.next_page_token);
    },
    getLatestVersions: async (name, stages) => {
      const response = await call<{ model_versions?: WireModelVersion[] }>(
        'POST',
        '/registered-models/get-latest-versions',
        { name, stages },
      );
      return (response.model_versions ?? []).map(fromWireVersion);
    },
    setRegisteredModelTag: async (name, tag) => {
      await call('POST', '/registered-models/set-tag', { name, key: tag.key, value: tag.value });
    },
    deleteRegisteredModelTag: async (name, key) => {
      await call('DELETE', '/registered-models/delete-tag', { name, key });
    },

    createModelVersion: (input) =>
      // `storageLocation` is the server's to work out from the source; it is not on the wire.
      version('POST', '/model-versions/create', {
        name: input.name,
        source: input.source,
        run_id: input.runId,
        tags: input.tags,
        run_link: input.runLink,
        description: input.description,
        model_id: input.modelId,
      }),
    getModelVersion: (name, number) => version('GET', '/model-versions/get', { name, version: number }),
    updateModelVersion: (name, number, description) =>
      version('PATCH', '/model-versions/update', { name, version: number, description }),
    deleteModelVersion: async (name, number) => {
      await call('DELETE', '/model-versions/delete', { name, version: number });
    },
    transitionModelVersionStage: (name, number, stage, archiveExistingVersions) =>
      version('POST', '/model-versions/transition-stage', {
        name,
        version: number,
        stage,
        archive_existing_versions: archiveExistingVersions,
      }),
    searchModelVersions: async (input) => {
      const response = await call<{ model_versions?: WireModelVersion[]; next_page_token?: string }>(
        'GET',
        '/model-versions/search',
        searchQuery(input),
      );
      return page((response.model_versions ?? []).map(fromWireVersion), response.next_page_token);
    },
    getModelVersionDownloadUri: async (name, number) =>
      (
        await call<{ artifact_uri: string }>('GET', '/model-versions/get-download-uri', {
          name,
          version: number,
        })
      ).artifact_uri,
    setModelVersionTag: async (name, number, tag) => {
      await call('POST', '/model-versions/set-tag', {
        name,
        version: number,
        key: tag.key,
        value: tag.value,
      });
    },
    deleteModelVersionTag: async (name, number, key) => {
      await call('DELETE', '/model-versions/delete-tag', { name, version: number, key });
    },
    setRegisteredModelAlias: async (name, alias, number) => {
      await call('POST', '/registered-models/alias', { name, alias, version: number });
    },
    deleteRegisteredModelAlias: async (name, alias) => {
      await call('DELETE', '/registered-models/alias', { name, alias });
    },
    getModelVersionByAlias: (name, alias) => version('GET', '/registered-models/alias', { name, alias }),
    close: async () => {},
  };
}
