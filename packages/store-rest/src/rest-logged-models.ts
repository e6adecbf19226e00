import type { LoggedModel, LoggedModelStore, Page } from '@cairn/core';
import { loggedModelResponse, searchLoggedModelsResponse } from '@cairn/core/wire';
import type { RestCall, RestSend } from './rest-call.js';

const modelPath = (modelId: string) => `/logged-models/${encodeURIComponent(modelId)}`;

/** The logged-model operations of the REST tracking store, over MLflow 3's `/logged-models` endpoints. */
export function restLoggedModelMethods(call: RestCall, send: RestSend): LoggedModelStore {
  return {
    createLoggedModel: async (input) =>
      (
        await call(loggedModelResponse, 'POST', '/logged-models', {
          experiment_id: input.experimentId,
          name: input.name,
          model_type: input.modelType,
          source_run_id: input.sourceRunId,
          params: input.params,
          tags: input.tags,
        })
      ).model,
    getLoggedModel: async (modelId, options = {}) =>
      (
        await call(
          loggedModelResponse,
          'GET',
          modelPath(modelId),
          options.allowDeleted ? { allow_deleted: 'true' } : {},
        )
      ).model,
    finalizeLoggedModel: async (input) =>
      (
        await call(loggedModelResponse, 'PATCH', modelPath(input.modelId), {
          model_id: input.modelId,
          status: input.status,
        })
      ).model,
    deleteLoggedModel: (modelId) => send('DELETE', modelPath(modelId), { model_id: modelId }),
    searchLoggedModels: async (input): Promise<Page<LoggedModel>> => {
      const response = await call(searchLoggedModelsResponse, 'POST', '/logged-models/search', {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        datasets: input.datasets?.map((dataset) => ({
          dataset_name: dataset.datasetName,
          dataset_digest: dataset.datasetDigest,
        })),
        max_results: input.maxResults,
        order_by: input.orderBy?.map((clause) => ({
          field_name: clause.fieldName,
          ascending: clause.ascending,
          dataset_name: clause.datasetName,
          dataset_digest: clause.datasetDigest,
        })),
        page_token: input.pageToken,
      });
      const items = response.models;
      return response.next_page_token ? { items, nextPageToken: response.next_page_token } : { items };
    },
    setLoggedModelTags: (modelId, tags) =>
      send('PATCH', `${modelPath(modelId)}/tags`, { model_id: modelId, tags }),
    deleteLoggedModelTag: (modelId, key) =>
      send('DELETE', `${modelPath(modelId)}/tags/${encodeURIComponent(key)}`, {}),
    logLoggedModelParams: (modelId, params) =>
      send('POST', `${modelPath(modelId)}/params`, { model_id: modelId, params }),
  };
}
