import { parseModelUri } from '@cairn/core';
import type { LoadedModel } from '@cairn/models';

/** Loads a model by URI (`loadModel` from `@cairn/models` with the flavors and stores to use). */
export type ModelLoader = (uri: string) => Promise<LoadedModel>;

/** What a served URI currently names: the concrete URI to load and the registry version, when there is one. */
export interface ResolvedServedModel {
  /** The URI to load: `models:/<name>/<version>` for a registered model, else the URI as given. */
  readonly uri: string;
  /** The registered model version it names; undefined for a path, `runs:/` or logged-model URI. */
  readonly version: string | undefined;
}

/** Tells which version a served URI names right now (an alias moves; a path does not). */
export type ModelVersionResolver = (uri: string) => Promise<ResolvedServedModel>;

/** A model answering requests, with the version and URI it was loaded as. */
export interface ServingModel {
  readonly model: LoadedModel;
  readonly uri: string;
  readonly version: string | undefined;
}

/** A hold on the model that answers one request; release it when the answer is written. */
export interface ModelLease extends ServingModel {
  release(): void;
}

/** What `/health` shows. */
export interface ServedModelStatus {
  /** The URI the server was started with (`models:/churn@champion`). */
  readonly requestedUri: string;
  /** The URI and version answering now; undefined before the first load finished. */
  readonly current: { readonly uri: string; readonly version: string | undefined } | undefined;
  /** The last failed load (or resolve) of a newer version while the current one kept serving. */
  readonly lastError: { readonly uri: string; readonly message: string; readonly at: string } | undefined;
  /** How many times the model was swapped for a newer version. */
  readonly swaps: number;
}

/** Options of {@link createServedModel}. */
export interface ServedModelOptions {
  /** The model to serve, e.g. `models:/churn@champion`, `models:/churn/3`, `runs:/<id>/model` or a directory. */
  readonly uri: string;
  readonly loader: ModelLoader;
  /** Finds what `uri` names now; without one, the URI is loaded once as it is and never swapped. */
  readonly resolver?: ModelVersionResolver;
  /**
   * How often to ask the resolver whether the alias moved, in ms (default 30 000). Only an alias (or
   * `latest`/stage) URI is polled; 0 disables polling.
   */
  readonly pollIntervalMs?: number;
  /** Told about swaps and failed loads (default: nothing). */
  readonly log?: (event: ServedModelEvent) => void;
}

/** What a served model reports as it follows its alias. */
export type ServedModelEvent =
  | { readonly type: 'loaded'; readonly uri: string; readonly version: string | undefined }
  | {
      readonly type: 'swapped';
      readonly from: string | undefined;
      readonly to: string | undefined;
      readonly uri: string;
    }
  | { readonly type: 'load-failed'; readonly uri: string; readonly error: unknown }
  | { readonly type: 'closed'; readonly uri: string };

/** A model being served: the current version, leased per request, swapped when its alias moves. */
export interface ServedModel {
  /** Loads the first version (the server answers /ping only after this). */
  start(): Promise<void>;
  /** Takes the current model for one request; requests keep the model they took even if it is swapped. */
  acquire(): ModelLease;
  /** Asks the resolver once and swaps when the version moved; resolves when done (used by polling and tests). */
  refresh(): Promise<void>;
  status(): ServedModelStatus;
  /** Stops polling, waits for requests in flight, closes every model. */
  close(): Promise<void>;
}

interface Entry extends ServingModel {
  inFlight: number;
  retired: boolean;
  closed: Promise<void> | undefined;
}

/** `models:/<name>@<alias>`, `models:/<name>/latest` and stage URIs name a version that may move. */
export function isMovingModelsUri(uri: string): boolean {
  if (!uri.startsWith('models:')) return false;
  try {
    const kind = parseModelUri(uri).kind;
    return kind === 'alias' || kind === 'latest' || kind === 'stage';
  } catch {
    return false;
  }
}

/**
 * Serves one model URI. With a resolver and a moving URI (an alias), it polls the registry; when the alias
 * names a new version it loads that version in the background, switches new requests to it at once, and
 * closes the old one after the requests that hold it finish. A failed load keeps the old version serving
 * and shows in {@link ServedModel.status}.
 */
export function createServedModel(options: ServedModelOptions): ServedModel {
  const { uri: requestedUri, loader } = options;
  const resolve: ModelVersionResolver =
    options.resolver ?? (async (uri: string) => ({ uri, version: undefined }));
  const log = options.log ?? (() => {});
  const pollIntervalMs = options.pollIntervalMs ?? 30_000;
  let current: Entry | undefined;
  let lastError: ServedModelStatus['lastError'];
  let swaps = 0;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;
  const retired = new Set<Entry>();

  const closeEntry = (entry: Entry) => {
    entry.closed ??= entry.model
      .close()
      .catch((error: unknown) => log({ type: 'load-failed', uri: entry.uri, error }))
      .then(() => {
        retired.delete(entry);
        log({ type: 'closed', uri: entry.uri });
      });
    return entry.closed;
  };

  const load = async (resolved: ResolvedServedModel): Promise<Entry> => {
    const model = await loader(resolved.uri);
    return {
      model,
      uri: resolved.uri,
      version: resolved.version,
      inFlight: 0,
      retired: false,
      closed: undefined,
    };
  };

  const refreshOnce = async () => {
    let resolved: ResolvedServedModel | undefined;
    try {
      resolved = await resolve(requestedUri);
      if (current !== undefined && resolved.uri === current.uri) return;
      const next = await load(resolved);
      if (closed) {
        await next.model.close();
        return;
      }
      const previous = current;
      current = next;
      lastError = undefined;
      if (previous === undefined) {
        log({ type: 'loaded', uri: next.uri, version: next.version });
        return;
      }
      swaps += 1;
      log({ type: 'swapped', from: previous.version, to: next.version, uri: next.uri });
      previous.retired = true;
      retired.add(previous);
      if (previous.inFlight === 0) void closeEntry(previous);
    } catch (error) {
      const failedUri = resolved?.uri ?? requestedUri;
      lastError = {
        uri: failedUri,
        message: error instanceof Error ? error.message : String(error),
        at: new Date().toISOString(),
      };
      log({ type: 'load-failed', uri: failedUri, error });
      if (current === undefined) throw error;
    }
  };

  const refresh = () => {
    // One refresh at a time: a poll that fires during a slow load joins it instead of loading twice.
    refreshing ??= refreshOnce().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  return {
    async start() {
      await refresh();
      if (pollIntervalMs > 0 && options.resolver !== undefined && isMovingModelsUri(requestedUri)) {
        timer = setInterval(() => {
          refresh().catch(() => {});
        }, pollIntervalMs);
        timer.unref();
      }
    },
    acquire() {
      const entry = current;
      if (entry === undefined || closed) throw new Error(`The model ${requestedUri} is not loaded`);
      entry.inFlight += 1;
      let released = false;
      return {
        model: entry.model,
        uri: entry.uri,
        version: entry.version,
        release() {
          if (released) return;
          released = true;
          entry.inFlight -= 1;
          if (entry.retired && entry.inFlight === 0) void closeEntry(entry);
        },
      };
    },
    refresh,
    status() {
      return {
        requestedUri,
        current: current === undefined ? undefined : { uri: current.uri, version: current.version },
        lastError,
        swaps,
      };
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await refreshing?.catch(() => {});
      const entries = [...retired, ...(current === undefined ? [] : [current])];
      for (const entry of entries) entry.retired = true;
      await Promise.all(
        entries.map(async (entry) => {
          while (entry.inFlight > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
          await closeEntry(entry);
        }),
      );
    },
  };
}
