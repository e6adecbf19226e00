import {
  CairnError,
  invalidParameter,
  joinArtifactUri,
  type LoggedModel,
  type LoggedModelStore,
  type ModelVersion,
  type ModelVersionTag,
  parseModelUri,
  parseRunsUri,
  type RegistryStore,
  type TrackingStore,
} from '@cairn/core';
import { recordVersionOnLoggedModel } from './record-version-on-logged-model.js';
import { resolveModelsUri } from './resolve-models-uri.js';

/** The stores {@link registerModel} works over. */
export interface RegisterModelStores {
  /** Where the registered model and version are created. */
  readonly registry: RegistryStore;
  /**
   * Where runs and MLflow 3 logged models are read (any `TrackingStore`); needed for `runs:/` and `models:/`
   * sources, and to record the new version on its logged model.
   */
  readonly tracking?:
    | (Pick<TrackingStore, 'getRun'> &
        Pick<LoggedModelStore, 'getLoggedModel' | 'searchLoggedModels' | 'setLoggedModelTags'>)
    | undefined;
  /**
   * Lists the names of the files directly under `path` in a run's artifacts. With it, a `runs:/<id>/<path>`
   * holding an `MLmodel` is registered from the run's own files, as MLflow's client checks first; without
   * it, the run's logged model of that name is looked for first.
   */
  readonly listRunArtifacts?: ((runId: string, path: string) => Promise<string[]>) | undefined;
}

/** What {@link registerModel} registers. Exactly one of `source`, `runId` (+ `artifactPath`) or `modelId`. */
export interface RegisterModelInput {
  /** The registered model's name; it is created if missing. */
  name: string;
  /** A model URI: `runs:/<run_id>/<path>`, `models:/<model_id>`, `models:/<name>/<version>` or any storage URI. */
  source?: string;
  /** Shorthand for `source: runs:/<runId>/<artifactPath>`. */
  runId?: string;
  artifactPath?: string;
  /** Shorthand for `source: models:/<modelId>` (an MLflow 3 logged model). */
  modelId?: string;
  /** Tags of the new version (the registered model, if created, gets none, as in MLflow). */
  tags?: ModelVersionTag[] | Record<string, string>;
  /** The new version's description. */
  description?: string;
  /** How long to wait for a version that is still `PENDING_REGISTRATION` to become READY (default 300 s, 0: no wait). */
  awaitCreationSeconds?: number;
}

/** MLflow's `DEFAULT_AWAIT_MAX_SLEEP_SECONDS`. */
const defaultAwaitSeconds = 300;

function sourceOf(input: RegisterModelInput): string {
  const given = [input.source, input.runId, input.modelId].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw invalidParameter(
      'Give exactly one of source, runId (with artifactPath) or modelId to register a model.',
      {
        field: 'source',
      },
    );
  }
  if (input.runId !== undefined)
    return `runs:/${input.runId}/${input.artifactPath ?? ''}`.replace(/\/$/u, '');
  if (input.modelId !== undefined) return `models:/${input.modelId}`;
  return input.source as string;
}

const isAlreadyExists = (error: unknown) =>
  CairnError.isInstance(error) && error.code === 'RESOURCE_ALREADY_EXISTS';

function requireTracking(stores: Pick<RegisterModelStores, 'tracking'>, source: string) {
  if (stores.tracking === undefined) {
    throw invalidParameter(
      `Registering '${source}' needs a tracking store to read the run or logged model from.`,
      {
        field: 'source',
      },
    );
  }
  return stores.tracking;
}

/** All logged models of `runId` named `name`, as MLflow's client looks them up for a `runs:/` URI. */
async function loggedModelsOfRun(
  tracking: NonNullable<RegisterModelStores['tracking']>,
  experimentId: string,
  runId: string,
  name: string,
): Promise<LoggedModel[]> {
  const found: LoggedModel[] = [];
  let pageToken: string | undefined;
  do {
    const page = await tracking.searchLoggedModels({
      experimentIds: [experimentId],
      filter: `name = '${name.replace(/'/gu, "\\'")}'`,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    found.push(...page.items.filter((model) => model.info.source_run_id === runId));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return found;
}

/** What a `runs:/` URI registers: the run's own files if they hold a model, else the run's logged model. */
async function resolveRunsSource(
  stores: RegisterModelStores,
  uri: string,
): Promise<{ source: string; runId: string; modelId?: string }> {
  const tracking = requireTracking(stores, uri);
  const { runId, artifactPath } = parseRunsUri(uri);
  const run = await tracking.getRun(runId);
  const underlying = { source: joinArtifactUri(run.info.artifact_uri, artifactPath), runId };
  if (stores.listRunArtifacts !== undefined) {
    const files = await stores.listRunArtifacts(runId, artifactPath);
    if (files.some((file) => file === 'MLmodel' || file.endsWith('/MLmodel'))) return underlying;
  }
  const models = await loggedModelsOfRun(tracking, run.info.experiment_id, runId, artifactPath);
  if (models.length === 0) {
    if (stores.listRunArtifacts === undefined) return underlying;
    throw new CairnError(
      'RESOURCE_DOES_NOT_EXIST',
      `Unable to find a logged_model with artifact_path ${artifactPath} under run ${runId}`,
      { details: { field: 'source' } },
    );
  }
  let chosen = models[0] as LoggedModel;
  if (models.length > 1) {
    const outputs = run.outputs?.model_outputs;
    if (outputs === undefined || outputs.length === 0) {
      throw invalidParameter(
        `Multiple logged models found for run ${runId}. Cannot determine which model to register. Please use \`models:/<model_id>\` instead.`,
        { field: 'source' },
      );
    }
    // The one the run logged at the highest step, as MLflow's client picks.
    const step = (model: LoggedModel) =>
      outputs.find((output) => output.model_id === model.info.model_id)?.step ?? Number.NEGATIVE_INFINITY;
    chosen = models.reduce((best, model) => (step(model) > step(best) ? model : best));
  }
  return { source: `models:/${chosen.info.model_id}`, runId, modelId: chosen.info.model_id };
}

/** What {@link resolveVersionSource} works out for a new version. */
export interface ResolvedVersionSource {
  storageLocation?: string;
  runId?: string;
  modelId?: string;
}

/**
 * What a new version's source implies, as MLflow's registry works it out on create: a `models:/` source's
 * files (one step: a copy of a copy keeps pointing at its source), and the `model_id` and `run_id` it names
 * unless given; a `model_id` given alone brings its logged model's run.
 */
export async function resolveVersionSource(
  stores: Pick<RegisterModelStores, 'registry' | 'tracking'>,
  input: { source: string; runId?: string | undefined; modelId?: string | undefined },
): Promise<ResolvedVersionSource> {
  let { runId, modelId } = input;
  let storageLocation: string | undefined;
  if (input.source.startsWith('models:')) {
    const parsed = parseModelUri(input.source);
    if (parsed.kind === 'logged-model') modelId ??= parsed.modelId;
    const resolved = await resolveModelsUri(
      input.source,
      { registry: stores.registry, tracking: requireTracking(stores, input.source) },
      { followCopies: false },
    );
    storageLocation = resolved.artifactUri;
    runId ??= resolved.loggedModel?.info.source_run_id ?? resolved.modelVersion?.run_id;
  } else if (modelId !== undefined && runId === undefined && stores.tracking !== undefined) {
    runId = (await stores.tracking.getLoggedModel(modelId)).info.source_run_id;
  }
  return {
    ...(storageLocation === undefined ? {} : { storageLocation }),
    ...(runId ? { runId } : {}),
    ...(modelId ? { modelId } : {}),
  };
}

async function awaitReady(
  registry: RegistryStore,
  version: ModelVersion,
  seconds: number,
): Promise<ModelVersion> {
  const deadline = Date.now() + seconds * 1000;
  let current = version;
  while (current.status === 'PENDING_REGISTRATION' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    current = await registry.getModelVersion(current.name, current.version);
  }
  if (current.status === 'FAILED_REGISTRATION') {
    throw new CairnError(
      'INVALID_STATE',
      `Model version creation failed for model name: ${current.name} version: ${current.version} with status: ${current.status} and message: ${current.status_message ?? ''}`,
    );
  }
  return current;
}

/**
 * Registers a model as MLflow 3.18's `mlflow.register_model` does: creates the registered model unless it
 * exists (RESOURCE_ALREADY_EXISTS is taken as "already there"), then a new version whose `run_id`,
 * `model_id` and source follow from the URI — `runs:/<run>/<path>` registers the run's files when they hold
 * an `MLmodel`, else the run's logged model named `<path>` (as `models:/<model_id>`); `models:/<model_id>`
 * records the logged model and its run; any other URI is registered as given. A `models:/` source gets
 * its storage location resolved here (what the server does for a remote registry), and a version made from
 * a logged model is recorded in that model's `mlflow.modelVersions` tag.
 */
export async function registerModel(
  stores: RegisterModelStores,
  input: RegisterModelInput,
): Promise<ModelVersion> {
  const uri = sourceOf(input);
  const tags = Array.isArray(input.tags)
    ? input.tags
    : Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value }));
  try {
    await stores.registry.createRegisteredModel({ name: input.name });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }

  let source = uri;
  let runId: string | undefined;
  let modelId: string | undefined;
  if (uri.startsWith('runs:')) {
    ({ source, runId, modelId } = await resolveRunsSource(stores, uri));
  }
  const resolved = await resolveVersionSource(stores, { source, runId, modelId });
  const created = await stores.registry.createModelVersion({
    name: input.name,
    source,
    tags,
    ...resolved,
    ...(input.description ? { description: input.description } : {}),
  });
  if (resolved.modelId !== undefined && stores.tracking !== undefined) {
    await recordVersionOnLoggedModel(stores.tracking, resolved.modelId, created.name, created.version);
  }
  return awaitReady(stores.registry, created, input.awaitCreationSeconds ?? defaultAwaitSeconds);
}
