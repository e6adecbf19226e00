import type { Page, RegistryStore, SearchRegistryInput } from '@cairn/core';
import {
  getModelVersionDownloadUriResponse,
  modelVersionResponse,
  modelVersionsResponse,
  registeredModelResponse,
  searchRegisteredModelsResponse,
} from '@cairn/core/wire';
import { restCalls } from './rest-call.js';
import { createRestTransport, type RestTransport, type RestTransportOptions } from './rest-transport.js';

const api = '/api/2.0/mlflow';

const page = <T>(items: T[], token: string | undefined): Page<T> =>
  token !== undefined && token !== '' ? { items, nextPageToken: token } : { items };

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
  const { call, send } = restCalls(transport, api);
  const model = async (method: 'GET' | 'POST' | 'PATCH', path: string, body: Record<string, unknown>) =>
    (await call(registeredModelResponse, method, path, body)).registered_model;
  const version = async (method: 'GET' | 'POST' | 'PATCH', path: string, body: Record<string, unknown>) =>
    (await call(modelVersionResponse, method, path, body)).model_version;

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
      await send('DELETE', '/registered-models/delete', { name });
    },
    searchRegisteredModels: async (input) => {
      const response = await call(
        searchRegisteredModelsResponse,
        'GET',
        '/registered-models/search',
        searchQuery(input),
      );
      return page(response.registered_models, response.next_page_token);
    },
    getLatestVersions: async (name, stages) => {
      const response = await call(modelVersionsResponse, 'POST', '/registered-models/get-latest-versions', {
        name,
        stages,
      });
      return response.model_versions;
    },
    setRegisteredModelTag: async (name, tag) => {
      await send('POST', '/registered-models/set-tag', { name, key: tag.key, value: tag.value });
    },
    deleteRegisteredModelTag: async (name, key) => {
      await send('DELETE', '/registered-models/delete-tag', { name, key });
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
      await send('DELETE', '/model-versions/delete', { name, version: number });
    },
    transitionModelVersionStage: (name, number, stage, archiveExistingVersions) =>
      version('POST', '/model-versions/transition-stage', {
        name,
        version: number,
        stage,
        archive_existing_versions: archiveExistingVersions,
      }),
    searchModelVersions: async (input) => {
      const response = await call(modelVersionsResponse, 'GET', '/model-versions/search', searchQuery(input));
      return page(response.model_versions, response.next_page_token);
    },
    getModelVersionDownloadUri: async (name, number) =>
      (
        await call(getModelVersionDownloadUriResponse, 'GET', '/model-versions/get-download-uri', {
          name,
          version: number,
        })
      ).artifact_uri,
    setModelVersionTag: async (name, number, tag) => {
      await send('POST', '/model-versions/set-tag', {
        name,
        version: number,
        key: tag.key,
        value: tag.value,
      });
    },
    deleteModelVersionTag: async (name, number, key) => {
      await send('DELETE', '/model-versions/delete-tag', { name, version: number, key });
    },
    setRegisteredModelAlias: async (name, alias, number) => {
      await send('POST', '/registered-models/alias', { name, alias, version: number });
    },
    deleteRegisteredModelAlias: async (name, alias) => {
      await send('DELETE', '/registered-models/alias', { name, alias });
    },
    getModelVersionByAlias: (name, alias) => version('GET', '/registered-models/alias', { name, alias }),
    close: async () => {},
  };
}
