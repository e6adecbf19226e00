import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ArtifactStore,
  ArtifactStoreResolver,
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
  TrackingStore,
  ViewType,
} from '@cairn/core';
import { invalidParameter, parseRunsUri, parseTrackingUri } from '@cairn/core';
import { resolveModelsUri } from '@cairn/registry';
import { createRestArtifactResolver, createRestRegistryStore } from '@cairn/store-rest';
import { stringify } from 'yaml';
import { downloadTree, uploadDirectory, uploadFile } from './artifact-transfer.js';
import {
  defaultArtifactResolvers,
  defaultTrackingStorePlugins,
  openArtifactStore,
  openTrackingStore,
  type TrackingStorePlugin,
} from './store-plugins.js';
import { resolveTrackingUri } from './tracking-uri.js';
import type { TransferOptions, TransferProgressCallback } from './transfer-progress.js';

/** Options of {@link createCairnClient}. */
export interface CairnClientOptions {
  /** Default: `MLFLOW_TRACKING_URI`, else `./mlruns` if it holds MLflow data, else `sqlite:///mlflow.db`. */
  trackingUri?: string;
  /** Tracking store plugins, tried in order. Default {@link defaultTrackingStorePlugins}. */
  plugins?: readonly TrackingStorePlugin[];
  /** Artifact store resolvers, tried in order. Default {@link defaultArtifactResolvers}. */
  artifactResolvers?: readonly ArtifactStoreResolver[];
  /** Use this store instead of opening one from the URI. */
  store?: TrackingStore;
  /**
   * The model registry, for `models:/<name>/...` URIs. Default: the tracking server's over REST for an
   * `http(s)://` tracking URI, else none.
   */
  registryStore?: RegistryStore;
  /** Relative store paths resolve against this; default `process.cwd()`. */
  cwd?: string;
  /** Environment read for `MLFLOW_TRACKING_URI`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
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
  /** The tracking store behind the client. */
  readonly store: TrackingStore;
  /** The model registry behind the client, if any. */
  readonly registry: RegistryStore | undefined;
  readonly #resolvers: readonly ArtifactStoreResolver[];

  constructor(options: CairnClientOptions = {}) {
    this.trackingUri = resolveTrackingUri(options.trackingUri, options.env, options.cwd);
    this.store =
      options.store ??
      openTrackingStore(
        this.trackingUri,
        options.plugins ?? defaultTrackingStorePlugins,
        options.cwd ?? process.cwd(),
      );
    const parsed = parseTrackingUri(this.trackingUri);
    const env = options.env ?? process.env;
    // Host-less mlflow-artifacts: URIs this client reads refer to its own tracking server, as in MLflow.
    this.#resolvers =
      options.artifactResolvers ??
      (parsed.kind === 'http'
        ? [createRestArtifactResolver({ trackingUri: this.trackingUri, env }), ...defaultArtifactResolvers]
        : defaultArtifactResolvers);
    this.registry =
      options.registryStore ??
      (parsed.kind === 'http' ? createRestRegistryStore({ baseUrl: parsed.url, env }) : undefined);
  }

  // --- experiments ---

  /** Creates an experiment and returns its id. */
  createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: TagRecord } = {},
  ): Promise<string> {
    const input: Parameters<TrackingStore['createExperiment']>[0] = { name, tags: toTags(options.tags) };
    if (options.artifactLocation !== undefined) input.artifactLocation = options.artifactLocation;
    return this.store.createExperiment(input);
  }

  /** Returns an experiment by id; RESOURCE_DOES_NOT_EXIST if unknown. */
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.store.getExperiment(experimentId);
  }

  /** Returns the experiment with this name, or undefined. */
  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.store.getExperimentByName(name);
  }

  /** Searches experiments, one page at a time. */
  searchExperiments(
    options: {
      filter?: string;
      orderBy?: string[];
      viewType?: ViewType;
      maxResults?: number;
      pageToken?: string;
    } = {},
  ): Promise<Page<Experiment>> {
    return this.store.searchExperiments(options);
  }

  /** Renames an experiment. */
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.store.renameExperiment(experimentId, newName);
  }

  /** Soft-deletes an experiment and its runs. */
  deleteExperiment(experimentId: string): Promise<void> {
    return this.store.deleteExperiment(experimentId);
  }

  /** Restores a soft-deleted experiment. */
  restoreExperiment(experimentId: string): Promise<void> {
    return this.store.restoreExperiment(experimentId);
  }

  /** Sets an experiment tag. */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.store.setExperimentTag(experimentId, { key, value: String(value) });
  }

  /** Deletes an experiment tag. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.store.deleteExperimentTag(experimentId, key);
  }

  // --- runs ---

  /** Creates a run in an experiment. */
  createRun(
    experimentId: string,
    options: { runName?: string; startTime?: number; tags?: TagRecord; userId?: string } = {},
  ): Promise<Run> {
    const input: Parameters<TrackingStore['createRun']>[0] = { experimentId, tags: toTags(options.tags) };
    if (options.runName !== undefined) input.runName = options.runName;
    if (options.startTime !== undefined) input.startTime = options.startTime;
    if (options.userId !== undefined) input.userId = options.userId;
    return this.store.createRun(input);
  }

  /** Returns a run with its latest metrics, params, tags and inputs. */
  getRun(runId: string): Promise<Run> {
    return this.store.getRun(runId);
  }

  /** Searches runs of some experiments, one page at a time. */
  searchRuns(options: {
    experimentIds: string[];
    filter?: string;
    orderBy?: string[];
    runViewType?: ViewType;
    maxResults?: number;
    pageToken?: string;
  }): Promise<Page<Run>> {
    return this.store.searchRuns(options);
  }

  /** Soft-deletes a run. */
  deleteRun(runId: string): Promise<void> {
    return this.store.deleteRun(runId);
  }

  /** Restores a soft-deleted run. */
  restoreRun(runId: string): Promise<void> {
    return this.store.restoreRun(runId);
  }

  /** Changes a run's status, end time or name. */
  updateRun(
    runId: string,
    changes: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    return this.store.updateRun({ runId, ...changes });
  }

  /** Ends a run: sets its status (default FINISHED) and end time (default now). */
  setTerminated(
    runId: string,
    status: RunStatus = 'FINISHED',
    endTime: number = Date.now(),
  ): Promise<RunInfo> {
    return this.store.updateRun({ runId, status, endTime });
  }

  /** Logs a param; the value is stringified as MLflow does. */
  logParam(runId: string, key: string, value: unknown): Promise<void> {
    return this.store.logBatch({ runId, params: [{ key, value: String(value) }] });
  }

  /** Logs one metric point now (no batching; the fluent API batches). */
  logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number } = {}) {
    const metric: Metric = {
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    };
    return this.store.logBatch({ runId, metrics: [metric] });
  }

  /** Sets a run tag. */
  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.store.logBatch({ runId, tags: [{ key, value: String(value) }] });
  }

  /** Deletes a run tag. */
  deleteTag(runId: string, key: string): Promise<void> {
    return this.store.deleteTag(runId, key);
  }

  /** Logs metrics, params and tags in one call, all or nothing. */
  logBatch(runId: string, batch: { metrics?: Metric[]; params?: Param[]; tags?: RunTag[] }): Promise<void> {
    return this.store.logBatch({ runId, ...batch });
  }

  /** Every logged point of one metric, following every page. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const points: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.getMetricHistory({ runId, metricKey: key, pageToken });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return points;
  }

  // --- artifacts ---

  /** The artifact store rooted at any artifact URI (`s3://`, `file:`, `mlflow-artifacts:`, ...), through this client's resolvers. */
  artifactStoreAt(artifactUri: string): ArtifactStore {
    return openArtifactStore(artifactUri, this.#resolvers);
  }

  /** The artifact store rooted at a run's artifact URI. */
  async artifactStoreForRun(runId: string): Promise<ArtifactStore> {
    const run = await this.store.getRun(runId);
    return openArtifactStore(run.info.artifact_uri, this.#resolvers);
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
      const store = openArtifactStore(uri.slice(0, slash), this.#resolvers);
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
      registry: this.registry,
      tracking: this.store,
    });
    return { root: artifactUri.replace(/\/+$/u, ''), subpath };
  }

  /** A store rooted at an artifact URI; `runs:/<id>/<path>` is `<path>` under that run's artifact URI. */
  async #artifactStoreAt(uri: string): Promise<ArtifactStore> {
    if (!uri.startsWith('runs:')) return openArtifactStore(uri, this.#resolvers);
    const { runId, artifactPath } = parseRunsUri(uri);
    const runRoot = (await this.store.getRun(runId)).info.artifact_uri.replace(/\/+$/u, '');
    return openArtifactStore(artifactPath ? `${runRoot}/${artifactPath}` : runRoot, this.#resolvers);
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

  /** Releases the stores. */
  async close(): Promise<void> {
    await this.registry?.close();
    await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Creates a {@link CairnClient}. */
export function createCairnClient(options: CairnClientOptions = {}): CairnClient {
  return new CairnClient(options);
}
