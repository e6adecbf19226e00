import {
  type ArtifactStore,
  invalidParameter,
  type LoggedModelOrderBy,
  normaliseArtifactPath,
  type TrackingStore,
} from '@cairn/core';
import {
  createLoggedModelRequest,
  finalizeLoggedModelRequest,
  getLoggedModelRequest,
  listLoggedModelArtifactsRequest,
  loggedModelIdRequest,
  logLoggedModelParamsRequest,
  searchLoggedModelsRequest,
  setLoggedModelTagsRequest,
} from '@cairn/core/wire';
import type { FastifyRequest } from 'fastify';
import type { RouteTable } from './route-table.js';

const base = '/mlflow/logged-models';

/** The model a request names: the `{model_id}` path segment, which MLflow's routes take it from. */
function modelIdOf(request: FastifyRequest): string {
  const { model_id: modelId } = (request.params ?? {}) as { model_id?: string };
  if (!modelId) {
    throw invalidParameter("Missing value for required parameter 'model_id'.", { field: 'model_id' });
  }
  return modelId;
}

function tagKeyOf(request: FastifyRequest): string {
  const { tag_key: key } = (request.params ?? {}) as { tag_key?: string };
  if (!key) throw invalidParameter("Missing value for required parameter 'tag_key'.", { field: 'tag_key' });
  return key;
}

/** Drops the optional fields protobuf JSON sends as empty strings. */
const present = (value: string | undefined) => (value ? value : undefined);

/**
 * Registers MLflow 3's logged-model RPCs (`/mlflow/logged-models*`): create, get, finalize, delete, search,
 * tags, params, and the listing of a model's artifact directories. `mlflow.<flavor>.log_model` and
 * `register_model` call them.
 */
export function registerLoggedModelRoutes(
  routes: RouteTable,
  store: TrackingStore,
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>,
): void {
  routes.rpc(
    { methods: ['POST'], path: base, summary: 'Create a logged model', request: createLoggedModelRequest },
    async (input) => {
      const name = present(input.name);
      const modelType = present(input.model_type);
      const sourceRunId = present(input.source_run_id);
      return {
        model: await store.createLoggedModel({
          experimentId: input.experiment_id,
          ...(name !== undefined ? { name } : {}),
          ...(modelType !== undefined ? { modelType } : {}),
          ...(sourceRunId !== undefined ? { sourceRunId } : {}),
          ...(input.params ? { params: input.params } : {}),
          ...(input.tags ? { tags: input.tags } : {}),
        }),
      };
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: `${base}/search`,
      summary: 'Search logged models',
      request: searchLoggedModelsRequest,
    },
    async (input) => {
      const page = await store.searchLoggedModels({
        experimentIds: input.experiment_ids,
        ...(present(input.filter) !== undefined ? { filter: input.filter } : {}),
        ...(input.datasets
          ? {
              datasets: input.datasets.map((dataset) =>
                dataset.dataset_digest
                  ? { datasetName: dataset.dataset_name, datasetDigest: dataset.dataset_digest }
                  : { datasetName: dataset.dataset_name },
              ),
            }
          : {}),
        ...(input.max_results ? { maxResults: input.max_results } : {}),
        ...(input.order_by
          ? {
              orderBy: input.order_by.map((clause) => {
                const order: LoggedModelOrderBy = { fieldName: clause.field_name };
                if (clause.ascending !== undefined) order.ascending = clause.ascending;
                if (clause.dataset_name) order.datasetName = clause.dataset_name;
                if (clause.dataset_digest) order.datasetDigest = clause.dataset_digest;
                return order;
              }),
            }
          : {}),
        ...(present(input.page_token) !== undefined ? { pageToken: input.page_token } : {}),
      });
      return {
        models: page.items.length === 0 ? undefined : page.items,
        next_page_token: page.nextPageToken,
      };
    },
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: `${base}/:model_id`,
      summary: 'Get a logged model',
      request: getLoggedModelRequest,
    },
    async (input, request) => ({
      model: await store.getLoggedModel(modelIdOf(request), { allowDeleted: input.allow_deleted === true }),
    }),
  );

  routes.rpc(
    {
      methods: ['PATCH'],
      path: `${base}/:model_id`,
      summary: 'Finalize a logged model (status READY or UPLOAD_FAILED)',
      request: finalizeLoggedModelRequest,
    },
    async (input, request) => ({
      model: await store.finalizeLoggedModel({ modelId: modelIdOf(request), status: input.status }),
    }),
  );

  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${base}/:model_id`,
      summary: 'Delete a logged model',
      request: loggedModelIdRequest,
    },
    async (_input, request) => {
      await store.deleteLoggedModel(modelIdOf(request));
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['PATCH'],
      path: `${base}/:model_id/tags`,
      summary: 'Set tags on a logged model',
      request: setLoggedModelTagsRequest,
    },
    async (input, request) => {
      await store.setLoggedModelTags(modelIdOf(request), input.tags ?? []);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${base}/:model_id/tags/:tag_key`,
      summary: 'Delete a logged-model tag',
      request: loggedModelIdRequest,
    },
    async (_input, request) => {
      await store.deleteLoggedModelTag(modelIdOf(request), tagKeyOf(request));
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: `${base}/:model_id/params`,
      summary: 'Log params of a logged model',
      request: logLoggedModelParamsRequest,
    },
    async (input, request) => {
      await store.logLoggedModelParams(modelIdOf(request), input.params ?? []);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: `${base}/:model_id/artifacts/directories`,
      summary: "List a directory of a logged model's artifacts",
      request: listLoggedModelArtifactsRequest,
    },
    async (input, request) => {
      const path = normaliseArtifactPath(input.artifact_directory_path, 'artifact_directory_path');
      const model = await store.getLoggedModel(modelIdOf(request));
      const files = await (await openArtifacts(model.info.artifact_uri)).list(path);
      return { root_uri: model.info.artifact_uri, files: files.length === 0 ? undefined : files };
    },
  );
}
