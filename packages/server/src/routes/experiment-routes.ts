import { doesNotExist, type TrackingStore } from '@cairn/core';
import {
  createExperimentRequest,
  deleteExperimentTagRequest,
  experimentIdRequest,
  getExperimentByNameRequest,
  searchDatasetsRequest,
  searchExperimentsRequest,
  setExperimentTagRequest,
  updateExperimentRequest,
} from '@cairn/core/wire';
import type { RouteTable } from './route-table.js';

/** Registers MLflow's experiment RPCs (`/mlflow/experiments/*`). */
export function registerExperimentRoutes(routes: RouteTable, store: TrackingStore): void {
  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/create',
      summary: 'Create an experiment',
      request: createExperimentRequest,
    },
    async (input) => {
      const experimentId = await store.createExperiment({
        name: input.name,
        ...(input.artifact_location ? { artifactLocation: input.artifact_location } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
      });
      return { experiment_id: experimentId };
    },
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/experiments/get',
      summary: 'Get an experiment by id',
      request: experimentIdRequest,
    },
    async (input) => ({ experiment: await store.getExperiment(input.experiment_id) }),
  );

  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/experiments/get-by-name',
      summary: 'Get an experiment by name (active first, else deleted)',
      request: getExperimentByNameRequest,
    },
    async (input) => {
      const experiment = await store.getExperimentByName(input.experiment_name);
      // The official client turns exactly this code into `None` in get_experiment_by_name.
      if (experiment === undefined) {
        throw doesNotExist(`Could not find experiment with name '${input.experiment_name}'`, {
          field: 'experiment_name',
        });
      }
      return { experiment };
    },
  );

  routes.rpc(
    {
      methods: ['POST', 'GET'],
      path: '/mlflow/experiments/search',
      summary: 'Search experiments',
      request: searchExperimentsRequest,
    },
    async (input) => {
      const page = await store.searchExperiments({
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.order_by ? { orderBy: input.order_by } : {}),
        ...(input.view_type ? { viewType: input.view_type } : {}),
        ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
        ...(input.page_token ? { pageToken: input.page_token } : {}),
      });
      return { experiments: page.items, next_page_token: page.nextPageToken || undefined };
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/search-datasets',
      summary: "Summaries of the datasets the experiments' runs logged as inputs",
      request: searchDatasetsRequest,
    },
    async (input) => {
      const summaries = await store.searchDatasets({ experimentIds: input.experiment_ids ?? [] });
      // Protobuf's JSON printer leaves an empty repeated field out.
      return { dataset_summaries: summaries.length === 0 ? undefined : summaries };
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/update',
      summary: 'Rename an experiment',
      request: updateExperimentRequest,
    },
    async (input) => {
      await store.renameExperiment(input.experiment_id, input.new_name);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/delete',
      summary: 'Soft-delete an experiment and its runs',
      request: experimentIdRequest,
    },
    async (input) => {
      await store.deleteExperiment(input.experiment_id);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/restore',
      summary: 'Restore a deleted experiment and its runs',
      request: experimentIdRequest,
    },
    async (input) => {
      await store.restoreExperiment(input.experiment_id);
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/set-experiment-tag',
      summary: 'Set an experiment tag',
      request: setExperimentTagRequest,
    },
    async (input) => {
      await store.setExperimentTag(input.experiment_id, { key: input.key, value: input.value ?? '' });
      return {};
    },
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/experiments/delete-experiment-tag',
      summary: 'Delete an experiment tag',
      request: deleteExperimentTagRequest,
    },
    async (input) => {
      await store.deleteExperimentTag(input.experiment_id, input.key);
      return {};
    },
  );
}
