import type { LoggedModel, Metric, Page, TrackingStoreLoggedModelMethods } from '@cairn/core';

/** The JSON call the REST tracking store makes: method, path under `/api/2.0/mlflow`, body or query. */
type Call = <T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: Record<string, unknown>,
) => Promise<T>;

type WireLoggedModel = {
  info: Omit<LoggedModel['info'], 'tags' | 'creation_timestamp_ms' | 'last_updated_timestamp_ms'> & {
    tags?: LoggedModel['info']['tags'];
    creation_timestamp_ms?: unknown;
    last_updated_timestamp_ms?: unknown;
  };
  data?: { params?: LoggedModel['data']['params']; metrics?: Metric[] };
};

/** Fills the lists protobuf JSON omits when empty and reads int64 timestamps sent as strings. */
function fromWireLoggedModel(
  model: WireLoggedModel,
  fromWireMetric: (metric: Metric) => Metric,
): LoggedModel {
  return {
    info: {
      ...model.info,
      creation_timestamp_ms: Number(model.info.creation_timestamp_ms ?? 0),
      last_updated_timestamp_ms: Number(model.info.last_updated_timestamp_ms ?? 0),
      status: model.info.status ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED',
      tags: model.info.tags ?? [],
    },
    data: {
      params: model.data?.params ?? [],
      metrics: (model.data?.metrics ?? []).map(fromWireMetric),
    },
  };
}

const modelPath = (modelId: string) => `/logged-models/${encodeURIComponent(modelId)}`;

/** The logged-model operations of the REST tracking store, over MLflow 3's `/logged-models` endpoints. */
export function restLoggedModelMethods(
  call: Call,
  fromWireMetric: (metric: Metric) => Metric,
): TrackingStoreLoggedModelMethods {
  const read = (model: WireLoggedModel) => fromWireLoggedModel(model, fromWireMetric);
  return {
    createLoggedModel: async (input) =>
      read(
        (
          await call<{ model: WireLoggedModel }>('POST', '/logged-models', {
            experiment_id: input.experimentId,
            name: input.name,
            model_type: input.modelType,
            source_run_id: input.sourceRunId,
            params: input.params,
            tags: input.tags,
          })
        ).model,
      ),
    getLoggedModel: async (modelId, options = {}) =>
      read(
        (
          await call<{ model: WireLoggedModel }>(
            'GET',
            modelPath(modelId),
            options.allowDeleted ? { allow_deleted: 'true' } : {},
          )
        ).model,
      ),
    finalizeLoggedModel: async (input) =>
      read(
        (
          await call<{ model: WireLoggedModel }>('PATCH', modelPath(input.modelId), {
            model_id: input.modelId,
            status: input.status,
          })
        ).model,
      ),
    deleteLoggedModel: async (modelId) => {
      await call('DELETE', modelPath(modelId), { model_id: modelId });
    },
    searchLoggedModels: async (input): Promise<Page<LoggedModel>> => {
      const response = await call<{ models?: WireLoggedModel[]; next_page_token?: string }>(
        'POST',
        '/logged-models/search',
        {
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
        },
      );
      const items = (response.models ?? []).map(read);
      return response.next_page_token ? { items, nextPageToken: response.next_page_token } : { items };
    },
    setLoggedModelTags: async (modelId, tags) => {
      await call('PATCH', `${modelPath(modelId)}/tags`, { model_id: modelId, tags });
    },
    deleteLoggedModelTag: async (modelId, key) => {
      await call('DELETE', `${modelPath(modelId)}/tags/${encodeURIComponent(key)}`, {});
    },
    logLoggedModelParams: async (modelId, params) => {
      await call('POST', `${modelPath(modelId)}/params`, { model_id: modelId, params });
    },
  };
}
