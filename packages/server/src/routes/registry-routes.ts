import {
  CairnError,
  type CreateModelVersionInput,
  invalidParameter,
  promptTagKey,
  type RegistryStore,
  type TrackingStore,
} from '@cairn/core';
import { resolveModelsUri } from '@cairn/registry';
import { type PythonValue, parsePythonJson, pythonJsonDumps, pythonValueOf } from '../wire/python-json.js';
import {
  aliasRequest,
  createModelVersionRequest,
  createRegisteredModelRequest,
  deleteModelVersionTagRequest,
  deleteRegisteredModelTagRequest,
  getLatestVersionsRequest,
  modelVersionRequest,
  registeredModelNameRequest,
  renameRegisteredModelRequest,
  searchRegistryRequest,
  setAliasRequest,
  setModelVersionTagRequest,
  setRegisteredModelTagRequest,
  transitionStageRequest,
  updateModelVersionRequest,
  updateRegisteredModelRequest,
} from '../wire/registry-schemas.js';
import { toWireModelVersion, toWireRegisteredModel } from '../wire/wire-model-version.js';
import { validateModelVersionSource } from './model-version-source.js';
import type { RouteTable } from './route-table.js';

const models = '/mlflow/registered-models';
const versions = '/mlflow/model-versions';

/** The tag MLflow keeps on a logged model listing the registered versions made from it. */
const modelVersionsTag = 'mlflow.modelVersions';

/** Drops the optional fields protobuf JSON sends as empty strings. */
const present = (value: string | undefined) => (value ? value : undefined);

/** Empty repeated fields are left out of responses, as protobuf's JSON printer does. */
const nonEmpty = <T>(items: T[]) => (items.length === 0 ? undefined : items);

function searchInput(input: {
  filter?: string | undefined;
  max_results?: number | undefined;
  order_by?: string[] | undefined;
  page_token?: string | undefined;
}) {
  return {
    ...(present(input.filter) !== undefined ? { filter: input.filter as string } : {}),
    ...(input.max_results !== undefined ? { maxResults: input.max_results } : {}),
    ...(input.order_by !== undefined && input.order_by.length > 0 ? { orderBy: input.order_by } : {}),
    ...(present(input.page_token) !== undefined ? { pageToken: input.page_token as string } : {}),
  };
}

/**
 * Where a new version's files are, and its run and logged model, from its source as MLflow's server
 * works them out: `models:/<model_id>` is the logged model's artifact location (and its source run),
 * `models:/<name>/<version|stage|latest>` and `models:/<name>@<alias>` another version's download URI.
 */
async function resolveSource(
  registry: RegistryStore,
  tracking: TrackingStore,
  input: { source: string; runId?: string | undefined; modelId?: string | undefined },
): Promise<{ storageLocation?: string; runId?: string; modelId?: string }> {
  let { runId, modelId } = input;
  let storageLocation: string | undefined;
  if (input.source.startsWith('models:')) {
    // One step, as MLflow's server: a source that is itself a copy keeps pointing at what it copied.
    const source = await resolveModelsUri(input.source, { registry, tracking }, { followCopies: false });
    storageLocation = source.artifactUri;
    // As in MLflow, a model_id given with the source is the one recorded, even when the source names another.
    runId ??= source.modelVersion?.run_id ?? source.loggedModel?.info.source_run_id;
    modelId ??= source.modelVersion?.model_id ?? source.loggedModel?.info.model_id;
  } else if (modelId !== undefined && runId === undefined) {
    runId = (await tracking.getLoggedModel(modelId)).info.source_run_id;
  }
  return {
    ...(storageLocation !== undefined ? { storageLocation } : {}),
    ...(runId ? { runId } : {}),
    ...(modelId ? { modelId } : {}),
  };
}

/**
 * Adds `{name, version}` to the logged model's `mlflow.modelVersions` tag as MLflow's server writes it:
 * Python's `json.dumps` of a list whose versions are integers (`[{"name": "m", "version": 1}]`).
 */
async function recordVersionOnLoggedModel(
  tracking: TrackingStore,
  modelId: string,
  name: string,
  version: string,
): Promise<void> {
  const model = await tracking.getLoggedModel(modelId);
  const existing = model.info.tags.find((tag) => tag.key === modelVersionsTag)?.value;
  let entries: PythonValue[] = [];
  if (existing) {
    const parsed = parsePythonJson(existing);
    // A tag someone overwrote with something other than a list is replaced rather than failing the registration.
    if (parsed?.type === 'list') entries = parsed.items;
  }
  const isThisVersion = (entry: PythonValue) => {
    if (entry.type !== 'dict') return false;
    const entryName = entry.entries.get('name');
    const entryVersion = entry.entries.get('version');
    const versionText =
      entryVersion?.type === 'int'
        ? entryVersion.text
        : entryVersion?.type === 'str'
          ? entryVersion.value
          : undefined;
    return entryName?.type === 'str' && entryName.value === name && versionText === version;
  };
  if (!entries.some(isThisVersion)) entries.push(pythonValueOf({ name, version: Number(version) }));
  await tracking.setLoggedModelTags(modelId, [
    { key: modelVersionsTag, value: pythonJsonDumps({ type: 'list', items: entries }) },
  ]);
}

/**
 * Registers MLflow's model-registry RPCs (`/mlflow/registered-models/*`, `/mlflow/model-versions/*`) over a
 * registry store; `tracking` resolves `models:/<model_id>` sources and records versions on logged models.
 */
export function registerRegistryRoutes(
  routes: RouteTable,
  registry: RegistryStore,
  tracking: TrackingStore,
): void {
  routes.rpc(
    {
      methods: ['POST'],
      path: `${models}/create`,
      summary: 'Create a registered model',
      request: createRegisteredModelRequest,
    },
    async (input) => ({
      registered_model: toWireRegisteredModel(
        await registry.createRegisteredModel({
          name: input.name,
          ...(input.tags ? { tags: input.tags } : {}),
          ...(present(input.description) !== undefined ? { description: input.description as string } : {}),
        }),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${models}/rename`,
      summary: 'Rename a registered model',
      request: renameRegisteredModelRequest,
    },
    async (input) => ({
      registered_model: toWireRegisteredModel(
        await registry.renameRegisteredModel(input.name, input.new_name),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['PATCH'],
      path: `${models}/update`,
      summary: "Update a registered model's description",
      request: updateRegisteredModelRequest,
    },
    async (input) => ({
      registered_model: toWireRegisteredModel(
        await registry.updateRegisteredModel(input.name, present(input.description)),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${models}/delete`,
      summary: 'Delete a registered model and its versions',
      request: registeredModelNameRequest,
    },
    async (input) => {
      await registry.deleteRegisteredModel(input.name);
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${models}/get`,
      summary: 'Get a registered model',
      request: registeredModelNameRequest,
    },
    async (input) => ({
      registered_model: toWireRegisteredModel(await registry.getRegisteredModel(input.name)),
    }),
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${models}/search`,
      summary: 'Search registered models',
      request: searchRegistryRequest,
    },
    async (input) => {
      const page = await registry.searchRegisteredModels(searchInput(input));
      return {
        registered_models: nonEmpty(page.items.map(toWireRegisteredModel)),
        next_page_token: page.nextPageToken,
      };
    },
  );
  routes.rpc(
    {
      methods: ['POST', 'GET'],
      path: `${models}/get-latest-versions`,
      summary: 'Get the latest version of a registered model per stage',
      request: getLatestVersionsRequest,
    },
    async (input) => ({
      model_versions: nonEmpty(
        (await registry.getLatestVersions(input.name, input.stages ?? [])).map(toWireModelVersion),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${models}/set-tag`,
      summary: 'Set a registered-model tag',
      request: setRegisteredModelTagRequest,
    },
    async (input) => {
      await registry.setRegisteredModelTag(input.name, { key: input.key, value: input.value });
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${models}/delete-tag`,
      summary: 'Delete a registered-model tag',
      request: deleteRegisteredModelTagRequest,
    },
    async (input) => {
      await registry.deleteRegisteredModelTag(input.name, input.key);
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${models}/alias`,
      summary: 'Point a registered-model alias at a version',
      request: setAliasRequest,
    },
    async (input) => {
      await registry.setRegisteredModelAlias(input.name, input.alias, input.version);
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${models}/alias`,
      summary: 'Delete a registered-model alias',
      request: aliasRequest,
    },
    async (input) => {
      await registry.deleteRegisteredModelAlias(input.name, input.alias);
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${models}/alias`,
      summary: 'Get the model version an alias points at',
      request: aliasRequest,
    },
    async (input) => ({
      model_version: toWireModelVersion(await registry.getModelVersionByAlias(input.name, input.alias)),
    }),
  );

  routes.rpc(
    {
      methods: ['POST'],
      path: `${versions}/create`,
      summary: 'Create a model version',
      request: createModelVersionRequest,
    },
    async (input) => {
      if (!input.source) {
        throw invalidParameter("Missing value for required parameter 'source'.", { field: 'source' });
      }
      // A prompt version's source is a placeholder ("prompt-template"), not files, so MLflow leaves it be.
      if (!(input.tags ?? []).some((tag) => tag.key === promptTagKey)) {
        await validateModelVersionSource(tracking, input.source, {
          runId: present(input.run_id),
          modelId: present(input.model_id),
        });
      }
      const resolved = await resolveSource(registry, tracking, {
        source: input.source,
        runId: present(input.run_id),
        modelId: present(input.model_id),
      });
      const create: CreateModelVersionInput = {
        name: input.name,
        source: input.source,
        ...resolved,
        ...(input.tags ? { tags: input.tags } : {}),
        ...(present(input.run_link) !== undefined ? { runLink: input.run_link as string } : {}),
        ...(present(input.description) !== undefined ? { description: input.description as string } : {}),
      };
      const version = await registry.createModelVersion(create);
      if (resolved.modelId !== undefined) {
        try {
          await recordVersionOnLoggedModel(tracking, resolved.modelId, version.name, version.version);
        } catch (error) {
          // The version exists either way; a logged model that vanished meanwhile must not fail it.
          if (!CairnError.isInstance(error) || error.code !== 'RESOURCE_DOES_NOT_EXIST') throw error;
        }
      }
      return { model_version: toWireModelVersion(version) };
    },
  );
  routes.rpc(
    {
      methods: ['PATCH'],
      path: `${versions}/update`,
      summary: "Update a model version's description",
      request: updateModelVersionRequest,
    },
    async (input) => ({
      model_version: toWireModelVersion(
        await registry.updateModelVersion(input.name, input.version, present(input.description)),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${versions}/transition-stage`,
      summary: 'Move a model version to a stage',
      request: transitionStageRequest,
    },
    async (input) => ({
      model_version: toWireModelVersion(
        await registry.transitionModelVersionStage(
          input.name,
          input.version,
          input.stage,
          input.archive_existing_versions === true,
        ),
      ),
    }),
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${versions}/delete`,
      summary: 'Delete a model version',
      request: modelVersionRequest,
    },
    async (input) => {
      await registry.deleteModelVersion(input.name, input.version);
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${versions}/get`,
      summary: 'Get a model version',
      request: modelVersionRequest,
    },
    async (input) => ({
      model_version: toWireModelVersion(await registry.getModelVersion(input.name, input.version)),
    }),
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${versions}/search`,
      summary: 'Search model versions',
      request: searchRegistryRequest,
    },
    async (input) => {
      const page = await registry.searchModelVersions(searchInput(input));
      return {
        model_versions: nonEmpty(page.items.map(toWireModelVersion)),
        next_page_token: page.nextPageToken,
      };
    },
  );
  routes.rpc(
    {
      methods: ['GET'],
      path: `${versions}/get-download-uri`,
      summary: "Get the URI a model version's files are downloaded from",
      request: modelVersionRequest,
    },
    async (input) => ({ artifact_uri: await registry.getModelVersionDownloadUri(input.name, input.version) }),
  );
  routes.rpc(
    {
      methods: ['POST'],
      path: `${versions}/set-tag`,
      summary: 'Set a model-version tag',
      request: setModelVersionTagRequest,
    },
    async (input) => {
      await registry.setModelVersionTag(input.name, input.version, { key: input.key, value: input.value });
      return {};
    },
  );
  routes.rpc(
    {
      methods: ['DELETE'],
      path: `${versions}/delete-tag`,
      summary: 'Delete a model-version tag',
      request: deleteModelVersionTagRequest,
    },
    async (input) => {
      await registry.deleteModelVersionTag(input.name, input.version, input.key);
      return {};
    },
  );
}
