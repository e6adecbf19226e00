import type { ArtifactStore, Experiment, ModelVersion, RegistryStore, TrackingStore } from '@cairn/core';

/** The stores GraphQL resolvers read: those the server was created with. */
export interface GraphqlStores {
  trackingStore: TrackingStore;
  /** Absent when the server has no model registry. */
  registryStore: RegistryStore | undefined;
  /** Opens the artifact store behind a run's artifact URI. */
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>;
}

/** What every resolver of one request receives: the stores, and reads shared across the request. */
export interface GraphqlContext extends GraphqlStores {
  /** An experiment, read once per request however many runs of a search name it. */
  experiment(experimentId: string): Promise<Experiment>;
  /** The model versions registered from a run (null without a registry); one search serves a whole page of runs. */
  modelVersionsOfRun(runId: string): Promise<ModelVersion[] | null>;
}

/** Run ids go into a registry filter; MLflow's are hex, and anything that would need quoting matches nothing. */
const plainRunId = /^[\w-]+$/u;
/** Run ids per registry search, so a page of 1000 runs stays a handful of modest filters. */
const runIdsPerSearch = 100;

interface Waiter {
  resolve: (versions: ModelVersion[]) => void;
  reject: (error: unknown) => void;
}

/** Every live version of the given runs, grouped by run id, following the registry's pages. */
async function versionsByRun(registry: RegistryStore, runIds: readonly string[]) {
  const grouped = new Map<string, ModelVersion[]>();
  for (let start = 0; start < runIds.length; start += runIdsPerSearch) {
    const quoted = runIds.slice(start, start + runIdsPerSearch).map((id) => `'${id}'`);
    let pageToken: string | undefined;
    do {
      const page = await registry.searchModelVersions({
        filter: `run_id IN (${quoted.join(', ')})`,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const version of page.items) {
        if (version.run_id === undefined) continue;
        grouped.set(version.run_id, [...(grouped.get(version.run_id) ?? []), version]);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
  return grouped;
}

/** Builds the context of one GraphQL request. */
export function createGraphqlContext(stores: GraphqlStores): GraphqlContext {
  const experiments = new Map<string, Promise<Experiment>>();
  let waiting: Map<string, Waiter[]> | undefined;

  // Resolvers of one list's items all run before the next microtask, so a flush there sees the whole page.
  const flush = (registry: RegistryStore, batch: Map<string, Waiter[]>) => {
    const runIds = [...batch.keys()].filter((id) => plainRunId.test(id));
    versionsByRun(registry, runIds).then(
      (grouped) => {
        for (const [runId, waiters] of batch) {
          for (const waiter of waiters) waiter.resolve(grouped.get(runId) ?? []);
        }
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  };

  return {
    ...stores,
    experiment(experimentId) {
      let experiment = experiments.get(experimentId);
      if (experiment === undefined) {
        experiment = stores.trackingStore.getExperiment(experimentId);
        experiments.set(experimentId, experiment);
      }
      return experiment;
    },
    modelVersionsOfRun(runId) {
      const registry = stores.registryStore;
      if (registry === undefined) return Promise.resolve(null);
      return new Promise<ModelVersion[]>((resolve, reject) => {
        if (waiting === undefined) {
          const batch = new Map<string, Waiter[]>();
          waiting = batch;
          queueMicrotask(() => {
            waiting = undefined;
            flush(registry, batch);
          });
        }
        waiting.set(runId, [...(waiting.get(runId) ?? []), { resolve, reject }]);
      });
    },
  };
}
