import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ArtifactStore,
  Experiment,
  FileInfo,
  Metric,
  Page,
  Param,
  RegistryStore,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  StoreOpenContext,
  StorePlugin,
  TrackingStore,
  ViewType,
} from '@cairn/core';
import { invalidParameter, openArtifactStore, openStores, parseRunsUri } from '@cairn/core';
import {
  type LoadedModel,
  type LoadModelOptions,
  type LogModelOptions,
  loadModel,
  logModel,
  type MLmodel,
  type ModelInfo,
  type ModelStores,
  type SaveModelOptions,
  saveModel,
} from '@cairn/models';
import { resolveModelsUri } from '@cairn/registry';
import { stringify } from 'yaml';
import { downloadTree, uploadDirectory, uploadFile } from './artifact-transfer.js';
import { defaultStorePlugins } from './default-store-plugins.js';
import { resolveTrackingUri } from './tracking-uri.js';
import type { TransferOptions, TransferProgressCallback } from './transfer-progress.js';

/** Options of {@link createCairnClient}. */
export interface CairnClientOptions {
  /** Default: `MLFLOW_TRACKING_URI`, else `./mlruns` if it holds MLflow data, else `sqlite:///mlflow.db`. */
  trackingUri?: string;
  /**
   * Store plugins, tried in order, for the tracking URI (tracking store and model registry) and for
   * artifact URIs. Default {@link defaultStorePlugins}.
   */
  plugins?: readonly StorePlugin[];
  /** Use this store instead of opening one from the URI. */
  store?: TrackingStore;
  /**
   * The model registry, for `models:/<name>/...` URIs. Default: the one a plugin opens at the tracking URI
   * (a tracking server's over REST, a database's), else none; none when `store` is given.
   */
  registryStore?: RegistryStore;
  /** Relative store paths resolve against this; default `process.cwd()`. */
  cwd?: string;
  /**
   * Environment read for `MLFLOW_TRACKING_URI`; default `process.env`. Stores read MLflow's other variables
   * (`MLFLOW_TRACKING_TOKEN`, `MLFLOW_S3_ENDPOINT_URL`, `AWS_*`...) from `process.env` overlaid with this.
   */
  env?: NodeJS.ProcessEnv;
}

/** The stores a client works over, once opened. */
interface OpenedClientStores {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore | undefined;
  close(): Promise<void>;
}

/** A tags argument: a record, as MLflow's Python client takes a dict. */
export type TagRecord = Readonly<Record<string, string>>;

const toTags = (tags: TagRecord | undefined): RunTag[] =>
  Object.entries(tags ?? {}).map(([key, value]) => ({ key, value: String(value) }));

/**
 * The explicit client, mirroring MLflow's `MlflowClient`: every call names the experiment or run it acts
 * on. Create one with {@link createCairnClient}.
 */
export class CairnClient implements AsyncDisposable {
  /** The tracking URI this client talks to. */
  readonly trackingUri: string;
  readonly #plugins: readonly StorePlugin[];
  readonly #context: StoreOpenContext;
  readonly #options: CairnClientOptions;
  #opened: Promise<OpenedClientStores> | undefined;

  /**
   * Stores are opened on first use (plugins may import their package then); a tracking URI no plugin
   * handles fails here already, with INVALID_PARAMETER_VALUE naming the plugins given.
   */
  constructor(options: CairnClientOptions = {}) {
    this.trackingUri = resolveTrackingUri(options.trackingUri, options.env, options.cwd);
    this.#options = options;
    this.#plugins = options.plugins ?? defaultStorePlugins;
    this.#context = {
      cwd: options.cwd ?? process.cwd(),
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      trackingUri: this.trackingUri,
    };
    const uri = this.trackingUri;
    if (options.store === undefined && !this.#plugins.some((p) => p.openTracking && p.handles(uri))) {
      throw invalidParameter(
        `No tracking store plugin handles '${uri}' (plugins given: ${this.#plugins.map((p) => p.name).join(', ') || 'none'})`,
        { field: 'tracking_uri' },
      );
    }
  }

  #stores(): Promise<OpenedClientStores> {
    this.#opened ??= this.#open();
    return this.#opened;
  }

  async #open(): Promise<OpenedClientStores> {
    const { store, registryStore } = this.#options;
    if (store !== undefined) {
      return {
        tracking: store,
        registry: registryStore,
        close: async () => {
          await registryStore?.close();
          await store.close();
        },
      };
    }
    const opened = await openStores(this.trackingUri, this.#plugins, this.#context);
    if (registryStore === undefined) return opened;
    return {
      tracking: opened.tracking,
      registry: registryStore,
      close: async () => {
        await registryStore.close();
        await opened.close();
      },
    };
  }

  /** The tracking store behind the client, opened on first use. */
  async trackingStore(): Promise<TrackingStore> {
    return (await this.#stores()).tracking;
  }

  /** The model registry behind the client, if any, opened on first use. */
  async registryStore(): Promise<RegistryStore | undefined> {
    return (await this.#stores()).registry;
  }

  // --- experiments ---

  /** Creates an experiment and returns its id. */
  async createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: TagRecord } = {},
  ): Promise<string> {
    const input: Parameters<TrackingStore['createExperiment']>[0] = { name, tags: toTags(options.tags) };
    if (options.artifactLocation !== undefined) input.artifactLocation = options.artifactLocation;
    return (await this.trackingStore()).createExperiment(input);
  }

  /** Returns an experiment by id; RESOURCE_DOES_NOT_EXIST if unknown. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.trackingStore()).getExperiment(experimentId);
  }

  /** Returns the experiment with this name, or undefined. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return (await this.trackingStore()).getExperimentByName(name);
  }

  /** Searches experiments, one page at a time. */
  async searchExperiments(
    options: {
      filter?: string;
      orderBy?: string[];
      viewType?: ViewType;
      maxResults?: number;
      pageToken?: string;
    } = {},
  ): Promise<Page<Experiment>> {
    return (await this.trackingStore()).searchExperiments(options);
  }

  /** Renames an experiment. */
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return (await this.trackingStore()).renameExperiment(experimentId, newName);
  }

  /** Soft-deletes an experiment and its runs. */
  async deleteExperiment(experimentId: string): Promise<void> {
    return (await this.trackingStore()).deleteExperiment(experimentId);
  }

  /** Restores a soft-deleted experiment. */
  async restoreExperiment(experimentId: string): Promise<void> {
    return (await this.trackingStore()).restoreExperiment(experimentId);
  }

  /** Sets an experiment tag. */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return (await this.trackingStore()).setExperimentTag(experimentId, { key, value: String(value) });
  }

  /** Deletes an experiment tag. */
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return (await this.trackingStore()).deleteExperimentTag(experimentId, key);
  }

  // --- runs ---

  /** Creates a run in an experiment. */
  async createRun(
    experimentId: string,
    options: { runName?: string; startTime?: number; tags?: TagRecord; userId?: string } = {},
  ): Promise<Run> {
    const input: Parameters<TrackingStore['createRun']>[0] = { experimentId, tags: toTags(options.tags) };
    if (options.runName !== undefined) input.runName = options.runName;
    if (options.startTime !== undefined) input.startTime = options.startTime;
    if (options.userId !== undefined) input.userId = options.userId;
    return (await this.trackingStore()).createRun(input);
  }

  /** Returns a run with its latest metrics, params, tags and inputs. */
  async getRun(runId: string): Promise<Run> {
    return (await this.trackingStore()).getRun(runId);
  }

  /** Searches runs of some experiments, one page at a time. */
  async searchRuns(options: {
    experimentIds: string[];
    filter?: string;
    orderBy?: string[];
    runViewType?: ViewType;
    maxResults?: number;
    pageToken?: string;
  }): Promise<Page<Run>> {
    return (await this.trackingStore()).searchRuns(options);
  }

  /** Soft-deletes a run. */
  async deleteRun(runId: string): Promise<void> {
    return (await this.trackingStore()).deleteRun(runId);
  }

  /** Restores a soft-deleted run. */
  async restoreRun(runId: string): Promise<void> {
    return (await this.trackingStore()).restoreRun(runId);
  }

  /** Changes a run's status, end time or name. */
  async updateRun(
    runId: string,
    changes: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    return (await this.trackingStore()).updateRun({ runId, ...changes });
  }

  /** Ends a run: sets its status (default FINISHED) and end time (default now). */
  async setTerminated(
    runId: string,
    status: RunStatus = 'FINISHED',
    endTime: number = Date.now(),
  ): Promise<RunInfo> {
    return (await this.trackingStore()).updateRun({ runId, status, endTime });
  }

  /** Logs a param; the value is stringified as MLflow does. */
  async logParam(runId: string, key: string, value: unknown): Promise<void> {
    return (await this.trackingStore()).logBatch({ runId, params: [{ key, value: String(value) }] });
  }

  /** Logs one metric point now (no batching; the fluent API batches). */
  async logMetric(
    runId: string,
    key: string,
    value: number,
    options: { step?: number; timestamp?: number } = {},
  ) {
    const metric: Metric = {
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    };
    return (await this.trackingStore()).logBatch({ runId, metrics: [metric] });
  }

  /** Sets a run tag. */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    return (await this.trackingStore()).logBatch({ runId, tags: [{ key, value: String(value) }] });
  }

  /** Deletes a run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    return (await this.trackingStore()).deleteTag(runId, key);
  }

  /** Logs metrics, params and tags in one call, all or nothing. */
  async logBatch(
    runId: string,
    batch: { metrics?: Metric[]; params?: Param[]; tags?: RunTag[] },
  ): Promise<void> {
    return (await this.trackingStore()).logBatch({ runId, ...batch });
  }

  /** Every logged point of one metric, following every page. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const points: Metric[] = [];
    let pageToken: string | undefined;
    const store = await this.trackingStore();
    do {
      const page = await store.getMetricHistory({ runId, metricKey: key, pageToken });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return points;
  }

  // --- artifacts ---

  /** The artifact store rooted at any artifact URI (`s3://`, `file:`, `mlflow-artifacts:`, ...), through this client's plugins. */
  artifactStoreAt(artifactUri: string): Promise<ArtifactStore> {
    return openArtifactStore(artifactUri, this.#plugins, this.#context);
  }

  /** The artifact store rooted at a run's artifact URI. */
  async artifactStoreForRun(runId: string): Promise<ArtifactStore> {
    const run = await (await this.trackingStore()).getRun(runId);
    return this.artifactStoreAt(run.info.artifact_uri);
  }

  /** Lists the direct children of an artifact directory of a run. */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    return (await this.artifactStoreForRun(runId)).list(path);
  }

  /**
   * Downloads an artifact file or directory to `dstPath` (default: a new temp dir) and returns the local
   * path of what was downloaded, as MLflow's `download_artifacts`: either a run and a path in it, or an
   * artifact URI (`runs:/<run id>/<path>`, `models:/<name>/<version|stage|latest>[/<path>]`,
   * `models:/<name>@<alias>`, `models:/<model_id>`, or any URI an artifact resolver handles, e.g. `file:///...`).
   */
  async downloadArtifacts(options: {
    runId?: string;
    artifactPath?: string;
    artifactUri?: string;
    dstPath?: string;
    /** Told about bytes and files as they arrive. */
    onProgress?: TransferProgressCallback;
  }): Promise<string> {
    const transfer = { onProgress: options.onProgress };
    const dst = options.dstPath ?? (await mkdtemp(join(tmpdir(), 'cairn-artifacts-')));
    if (options.artifactUri !== undefined) {
      if (options.runId !== undefined || options.artifactPath !== undefined) {
        throw invalidParameter('Give either artifactUri, or runId with an optional artifactPath, not both', {
          field: 'artifact_uri',
        });
      }
      if (options.artifactUri.startsWith('models:')) {
        // As MLflow's ModelsArtifactRepository: the model's files land in dst itself (a subpath under dst).
        const { root, subpath } = await this.#resolveModelFiles(options.artifactUri);
        return downloadTree(await this.#artifactStoreAt(root), subpath, dst, transfer);
      }
      if (options.artifactUri.startsWith('runs:')) {
        const { runId, artifactPath } = parseRunsUri(options.artifactUri);
        return downloadTree(await this.artifactStoreForRun(runId), artifactPath, dst, transfer);
      }
      // The URI names the file or folder itself: open its parent and download the last segment.
      const uri = options.artifactUri.replace(/\/+$/u, '');
      const slash = uri.lastIndexOf('/');
      const store = await this.artifactStoreAt(uri.slice(0, slash));
      return downloadTree(store, uri.slice(slash + 1), dst, transfer);
    }
    if (options.runId === undefined) {
      throw invalidParameter('Give runId (with an optional artifactPath) or artifactUri', {
        field: 'run_id',
      });
    }
    return downloadTree(await this.artifactStoreForRun(options.runId), options.artifactPath, dst, transfer);
  }

  /**
   * Where the files of a `models:/` URI are: a registered version's download URI (by version, stage,
   * `latest` or alias, from the registry) or a logged model's artifact location, plus the URI's subpath.
   * A version registered from another `models:/` or `runs:/` URI is followed to its files.
   */
  async resolveModelsUri(modelsUri: string): Promise<string> {
    const { root, subpath } = await this.#resolveModelFiles(modelsUri);
    return subpath === '' ? root : `${root}/${subpath}`;
  }

  /** The root of a `models:/` URI's files, and the URI's path under it (subpaths of copies before the URI's). */
  async #resolveModelFiles(modelsUri: string): Promise<{ root: string; subpath: string }> {
    const { artifactUri, subpath } = await resolveModelsUri(modelsUri, {
      registry: await this.registryStore(),
      tracking: await this.trackingStore(),
    });
    return { root: artifactUri.replace(/\/+$/u, ''), subpath };
  }

  /** A store rooted at an artifact URI; `runs:/<id>/<path>` is `<path>` under that run's artifact URI. */
  async #artifactStoreAt(uri: string): Promise<ArtifactStore> {
    if (!uri.startsWith('runs:')) return this.artifactStoreAt(uri);
    const { runId, artifactPath } = parseRunsUri(uri);
    const runRoot = (await (await this.trackingStore()).getRun(runId)).info.artifact_uri.replace(/\/+$/u, '');
    return this.artifactStoreAt(artifactPath ? `${runRoot}/${artifactPath}` : runRoot);
  }

  /** Uploads a local file into the run's artifacts, under `artifactPath`. */
  async logArtifact(
    runId: string,
    localPath: string,
    artifactPath?: string,
    options: TransferOptions = {},
  ): Promise<void> {
    await uploadFile(await this.artifactStoreForRun(runId), localPath, artifactPath, options);
  }

  /** Uploads a local directory tree into the run's artifacts, under `artifactPath`. */
  async logArtifacts(
    runId: string,
    localDir: string,
    artifactPath?: string,
    options: TransferOptions = {},
  ): Promise<void> {
    await uploadDirectory(await this.artifactStoreForRun(runId), localDir, artifactPath, options);
  }

  /** Stores text as an artifact file. */
  async logText(runId: string, text: string, artifactFile: string): Promise<void> {
    await (await this.artifactStoreForRun(runId)).put(artifactFile, text);
  }

  /** Stores a value as YAML (`.yml`/`.yaml`) or indented JSON (anything else), as MLflow's `log_dict`. */
  async logDict(runId: string, value: unknown, artifactFile: string): Promise<void> {
    const text = /\.ya?ml$/iu.test(artifactFile) ? stringify(value) : `${JSON.stringify(value, null, 2)}`;
    await this.logText(runId, text, artifactFile);
  }

  // --- models ---

  /** The stores `@cairn/models` reads and logs models through: this client's tracking store, registry and artifact plugins. */
  async modelStores(): Promise<ModelStores> {
    const stores = await this.#stores();
    return {
      tracking: stores.tracking,
      registry: stores.registry,
      artifactStoreAt: (artifactUri) => this.artifactStoreAt(artifactUri),
    };
  }

  /**
   * Logs a model as MLflow 3's `log_model(name=...)`: a logged model (linked to `runId` when given) holding
   * the saved model's files, READY once uploaded; `registeredModelName` also registers a version of it.
   */
  async logModel<TModel>(options: LogModelOptions<TModel>): Promise<ModelInfo> {
    return logModel(await this.modelStores(), options);
  }

  /**
   * Loads a model from a local path or any model URI this client reaches (`runs:/`, `models:/<name>/<version>`,
   * `models:/<name>@<alias>`, `models:/<model_id>`, `s3://`, `mlflow-artifacts:`...).
   */
  async loadModel(modelUri: string, options: Omit<LoadModelOptions, 'stores'> = {}): Promise<LoadedModel> {
    return loadModel(modelUri, { cwd: this.#context.cwd, ...options, stores: await this.modelStores() });
  }

  /** Saves a model into a new local directory (no store involved; `@cairn/models`' `saveModel`). */
  saveModel<TModel>(path: string, options: SaveModelOptions<TModel>): Promise<MLmodel> {
    return saveModel(path, options);
  }

  /** Releases the stores. */
  async close(): Promise<void> {
    // Stores that failed to open hold nothing to release; the failure was the caller's to see already.
    const stores = await this.#opened?.catch(() => undefined);
    await stores?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Creates a {@link CairnClient}. */
export function createCairnClient(options: CairnClientOptions = {}): CairnClient {
  return new CairnClient(options);
}
