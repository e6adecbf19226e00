import {
  defaultExperiment,
  type Experiment,
  invalidParameter,
  type RunInfo,
  type RunStatus,
  systemTags,
  toCairnError,
} from '@cairn/core';
import type {
  LoadedModel,
  LoadModelOptions,
  LogModelOptions,
  MLmodel,
  ModelInfo,
  SaveModelOptions,
} from '@cairn/models';
import { CairnClient, type CairnClientOptions, type TagRecord } from './cairn-client.js';
import { MetricBatcher, type MetricBatcherOptions } from './metric-batcher.js';
import { defaultRunTags } from './system-tags.js';

/** Options of {@link createTracking}. */
export interface TrackingOptions extends Omit<CairnClientOptions, 'trackingUri'> {
  /** Default: `MLFLOW_TRACKING_URI`, else `./mlruns` if it holds MLflow data, else `sqlite:///mlflow.db`. */
  trackingUri?: string;
  /** Metric batching; see {@link MetricBatcher}. */
  batching?: MetricBatcherOptions;
  /** Flush and end active runs when the process is about to exit (`beforeExit`); default true. */
  exitHook?: boolean;
  /** Tags every run starts with; default MLflow's system tags (user, source, git). */
  systemTags?: () => Promise<Record<string, string>>;
}

/** Arguments of {@link Tracking.startRun}. */
export interface StartRunOptions {
  runName?: string;
  /** Start as a child of the active run (`mlflow.parentRunId`). */
  nested?: boolean;
  tags?: TagRecord;
  /** Resume an existing run instead of creating one (also `MLFLOW_RUN_ID`). */
  runId?: string;
  /** Default: the experiment set with `setExperiment`, else `MLFLOW_EXPERIMENT_ID`/`_NAME`, else Default. */
  experimentId?: string;
  /** Stored as the run's description (`mlflow.note.content`). */
  description?: string;
}

/** A run started by the fluent API. `await using run = await startRun()` ends it when the scope does. */
export interface ActiveRun extends AsyncDisposable {
  readonly runId: string;
  /** The run's info as it was when the run started. */
  readonly info: RunInfo;
  /** Ends this run (and any runs nested in it) after flushing their metrics. */
  end(status?: RunStatus): Promise<void>;
}

type MetricOptions = { step?: number; timestamp?: number };

/**
 * MLflow's fluent API (`mlflow.start_run`, `mlflow.log_metric`, ...) as an object: a stack of active runs
 * over one {@link CairnClient}, with metrics going through a {@link MetricBatcher} so `logMetric` never
 * waits on I/O. The package's module-level functions use one default instance; tests make their own.
 */
export class Tracking {
  readonly #options: TrackingOptions;
  readonly #env: NodeJS.ProcessEnv;
  #trackingUri: string | undefined;
  #client: CairnClient | undefined;
  #batcher: MetricBatcher | undefined;
  #experimentId: string | undefined;
  readonly #stack: ActiveRun[] = [];
  #exitHookInstalled = false;
  #autoStart: Promise<ActiveRun> | undefined;

  constructor(options: TrackingOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#trackingUri = options.trackingUri;
  }

  /** Points the fluent API at another tracking URI (MLflow's `set_tracking_uri`). */
  setTrackingUri(uri: string): void {
    if (this.#stack.length > 0) {
      throw invalidParameter('Cannot change the tracking URI while a run is active; end it first', {
        field: 'tracking_uri',
      });
    }
    this.#trackingUri = uri;
    const previous = this.#client;
    this.#client = undefined;
    this.#batcher?.stop();
    this.#batcher = undefined;
    this.#experimentId = undefined;
    void previous?.close().catch(() => {});
  }

  /** The tracking URI in use. */
  getTrackingUri(): string {
    return this.client().trackingUri;
  }

  /** The explicit client behind the fluent API. */
  client(): CairnClient {
    this.#client ??= new CairnClient({ ...this.#options, trackingUri: this.#trackingUri, env: this.#env });
    return this.#client;
  }

  #metrics(): MetricBatcher {
    this.#batcher ??= new MetricBatcher(
      async (runId, metrics) => (await this.client().trackingStore()).logBatch({ runId, metrics }),
      this.#options.batching,
    );
    return this.#batcher;
  }

  /**
   * Makes an experiment the active one, by name (created when missing) or by id, and returns it.
   * A deleted experiment cannot be made active.
   */
  async setExperiment(target: string | { experimentId: string }): Promise<Experiment> {
    const client = this.client();
    let experiment: Experiment;
    if (typeof target === 'string') {
      const found = await client.getExperimentByName(target);
      experiment = found ?? (await client.getExperiment(await client.createExperiment(target)));
    } else {
      experiment = await client.getExperiment(target.experimentId);
    }
    if (experiment.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `Cannot set a deleted experiment '${experiment.name}' as the active experiment. Restore it or use another name.`,
        { field: 'experiment_name' },
      );
    }
    this.#experimentId = experiment.experiment_id;
    return experiment;
  }

  async #resolveExperimentId(explicit?: string): Promise<string> {
    if (explicit !== undefined) return explicit;
    if (this.#experimentId !== undefined) return this.#experimentId;
    const byId = this.#env.MLFLOW_EXPERIMENT_ID;
    if (byId !== undefined && byId !== '')
      return (await this.setExperiment({ experimentId: byId })).experiment_id;
    const byName = this.#env.MLFLOW_EXPERIMENT_NAME;
    if (byName !== undefined && byName !== '') return (await this.setExperiment(byName)).experiment_id;
    return defaultExperiment.id;
  }

  /** The innermost active run, if any. */
  activeRun(): ActiveRun | undefined {
    return this.#stack.at(-1);
  }

  /** Starts (or resumes) a run and makes it the active one. */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    const parent = this.activeRun();
    if (parent !== undefined && options.nested !== true) {
      throw invalidParameter(
        `Run with UUID ${parent.runId} is already active. To start a new run, first end the current run with endRun(). To start a nested run, call startRun({ nested: true }).`,
        { field: 'nested' },
      );
    }
    const client = this.client();
    const resumeId =
      options.runId ?? (this.#stack.length === 0 ? this.#env.MLFLOW_RUN_ID : undefined) ?? undefined;
    let info: RunInfo;
    if (resumeId !== undefined && resumeId !== '') {
      const existing = await client.getRun(resumeId);
      if (existing.info.lifecycle_stage !== 'active') {
        throw invalidParameter(`Cannot start run with ID ${resumeId} because it is in the deleted state.`, {
          field: 'run_id',
        });
      }
      info = await client.updateRun(resumeId, { status: 'RUNNING' });
      if (options.tags !== undefined) {
        await client.logBatch(resumeId, {
          tags: Object.entries(options.tags).map(([key, value]) => ({ key, value: String(value) })),
        });
      }
    } else {
      const experimentId = await this.#resolveExperimentId(options.experimentId);
      const tags: Record<string, string> = {
        ...(await (this.#options.systemTags ?? (() => defaultRunTags({ env: this.#env })))()),
        ...options.tags,
      };
      if (parent !== undefined) tags[systemTags.parentRunId] = parent.runId;
      if (options.description !== undefined) tags[systemTags.noteContent] = options.description;
      const createOptions: Parameters<CairnClient['createRun']>[1] = { tags };
      if (options.runName !== undefined) createOptions.runName = options.runName;
      const user = tags[systemTags.user];
      if (user !== undefined) createOptions.userId = user;
      info = (await client.createRun(experimentId, createOptions)).info;
    }
    const run = this.#activeRunHandle(info);
    this.#stack.push(run);
    this.#installExitHook();
    return run;
  }

  #activeRunHandle(info: RunInfo): ActiveRun {
    const end = (status: RunStatus = 'FINISHED') => this.#endRunsFrom(run, status);
    const run: ActiveRun = {
      runId: info.run_id,
      info,
      end,
      [Symbol.asyncDispose]: () => (this.#stack.includes(run) ? end('FINISHED') : Promise.resolve()),
    };
    return run;
  }

  /** Ends `run` and every run nested above it, innermost first. */
  async #endRunsFrom(run: ActiveRun, status: RunStatus): Promise<void> {
    const index = this.#stack.indexOf(run);
    if (index === -1) return;
    let flushError: unknown;
    try {
      await this.#batcher?.flush();
    } catch (error) {
      flushError = error;
    }
    // A run whose last metrics could not be written did not finish cleanly.
    const finalStatus: RunStatus = flushError !== undefined && status === 'FINISHED' ? 'FAILED' : status;
    const ending = this.#stack.splice(index).reverse();
    const endTime = Date.now();
    for (const each of ending) await this.client().setTerminated(each.runId, finalStatus, endTime);
    if (flushError !== undefined) throw toCairnError(flushError);
  }

  /** Ends the active run (MLflow's `end_run`): flushes its metrics, then sets its status and end time. */
  async endRun(status: RunStatus = 'FINISHED'): Promise<void> {
    const run = this.activeRun();
    if (run !== undefined) await run.end(status);
  }

  /**
   * Runs `body` inside a new run and always ends it: FINISHED when `body` resolves, FAILED (and the error
   * rethrown) when it throws.
   */
  async withRun<T>(options: StartRunOptions, body: (run: ActiveRun) => Promise<T> | T): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await body(run);
    } catch (error) {
      await run.end('FAILED').catch(() => {});
      throw error;
    }
    await run.end('FINISHED');
    return result;
  }

  /** The active run, started on first use as MLflow's fluent API does (once, however many callers race). */
  async #runId(): Promise<string> {
    const active = this.activeRun();
    if (active !== undefined) return active.runId;
    this.#autoStart ??= this.startRun().finally(() => {
      this.#autoStart = undefined;
    });
    return (await this.#autoStart).runId;
  }

  /** Logs a param to the active run (started if none); the value is stringified. */
  async logParam(key: string, value: unknown): Promise<void> {
    await this.client().logParam(await this.#runId(), key, value);
  }

  /** Logs several params in one write. */
  async logParams(params: Readonly<Record<string, unknown>>): Promise<void> {
    const list = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    await this.client().logBatch(await this.#runId(), { params: list });
  }

  /**
   * Queues a metric point for the active run; returns without waiting on I/O unless the queue is full
   * (then it returns a promise to await). Errors of earlier background writes are thrown here.
   */
  logMetric(key: string, value: number, options: MetricOptions = {}): void | Promise<void> {
    const metric = { key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 };
    const run = this.activeRun();
    if (run === undefined) return this.#runId().then((runId) => this.#metrics().add(runId, metric));
    return this.#metrics().add(run.runId, metric);
  }

  /** Queues several metric points with one step and timestamp. */
  async logMetrics(metrics: Readonly<Record<string, number>>, options: MetricOptions = {}): Promise<void> {
    const timestamp = options.timestamp ?? Date.now();
    for (const [key, value] of Object.entries(metrics)) {
      await this.logMetric(key, value, { timestamp, step: options.step ?? 0 });
    }
  }

  /** Sets a tag on the active run. */
  async setTag(key: string, value: string): Promise<void> {
    await this.client().setTag(await this.#runId(), key, value);
  }

  /** Sets several tags in one write. */
  async setTags(tags: TagRecord): Promise<void> {
    const list = Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
    await this.client().logBatch(await this.#runId(), { tags: list });
  }

  /** Uploads a local file into the active run's artifacts. */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    await this.client().logArtifact(await this.#runId(), localPath, artifactPath);
  }

  /** Uploads a local directory tree into the active run's artifacts. */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    await this.client().logArtifacts(await this.#runId(), localDir, artifactPath);
  }

  /** Stores text as an artifact of the active run. */
  async logText(text: string, artifactFile: string): Promise<void> {
    await this.client().logText(await this.#runId(), text, artifactFile);
  }

  /** Stores a value as a JSON or YAML artifact of the active run. */
  async logDict(value: unknown, artifactFile: string): Promise<void> {
    await this.client().logDict(await this.#runId(), value, artifactFile);
  }

  /**
   * Logs a model (MLflow 3's `log_model`): linked to the active run when there is one, else created in the
   * active experiment without a run, as MLflow's fluent `log_model` does (it starts no run).
   */
  async logModel<TModel>(options: LogModelOptions<TModel>): Promise<ModelInfo> {
    const active = this.activeRun();
    if (options.runId !== undefined || options.experimentId !== undefined)
      return this.client().logModel(options);
    if (active !== undefined) return this.client().logModel({ ...options, runId: active.runId });
    return this.client().logModel({ ...options, experimentId: await this.#resolveExperimentId(undefined) });
  }

  /** Loads a model by path or URI through this tracking URI's stores. */
  loadModel(modelUri: string, options?: Omit<LoadModelOptions, 'stores'>): Promise<LoadedModel> {
    return this.client().loadModel(modelUri, options);
  }

  /** Saves a model into a new local directory. */
  saveModel<TModel>(path: string, options: SaveModelOptions<TModel>): Promise<MLmodel> {
    return this.client().saveModel(path, options);
  }

  /** Writes every queued metric point now; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.#batcher?.flush();
  }

  #installExitHook(): void {
    if (this.#exitHookInstalled || this.#options.exitHook === false) return;
    this.#exitHookInstalled = true;
    // `beforeExit` runs when the event loop is empty, so async work is still possible there (unlike
    // `exit`, SIGKILL or process.exit(), which nothing can flush). Runs left active end FINISHED, as
    // MLflow's atexit hook does.
    const onBeforeExit = () => {
      if (this.#stack.length === 0 && (this.#batcher?.pending ?? 0) === 0) return;
      const first = this.#stack[0];
      const done = first === undefined ? this.flush() : first.end('FINISHED');
      done.catch((error: unknown) => {
        process.exitCode = 1;
        console.error(`cairn: could not flush metrics before exit: ${toCairnError(error).message}`);
      });
    };
    process.on('beforeExit', onBeforeExit);
  }
}

/** Creates an independent fluent API instance (its own client, batcher and run stack). */
export function createTracking(options: TrackingOptions = {}): Tracking {
  return new Tracking(options);
}
