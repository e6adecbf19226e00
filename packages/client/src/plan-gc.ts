import {
  CairnError,
  type DeletedRun,
  type Experiment,
  invalidParameter,
  type TrackingStore,
} from '@cairn/core';

/** What `cairn gc` removes: deleted runs (with their artifacts) and deleted experiments (with all their runs). */
export interface GcPlan {
  runs: {
    run_id: string;
    experiment_id: string;
    artifact_uri: string;
    /** When the run was deleted, where the store knows it. */
    deleted_time?: number;
    end_time?: number;
  }[];
  experiments: {
    experiment_id: string;
    name: string;
    artifact_location: string;
    /** When the experiment was deleted (its last update). */
    last_update_time?: number;
    /** Whether its artifact location goes too: only a folder of its own, `<artifact root>/<experiment id>`. */
    delete_artifact_location: boolean;
  }[];
  /** What gc leaves alone and why (e.g. experiments a REST store cannot purge). */
  notes: string[];
}

/** Options of {@link planGc}, as `cairn gc` takes them. */
export interface GcSelection {
  /** Only what was deleted longer ago than this many milliseconds (0: everything deleted). */
  olderThanMs: number;
  runIds?: string[];
  experimentIds?: string[];
  now?: number;
}

/**
 * Parses MLflow's `--older-than` syntax: `#d#h#m#s`, each part optional, decimals allowed (`1.5d`, `2h30m`).
 * INVALID_PARAMETER_VALUE names the flag and gives examples.
 */
export function parseOlderThan(text: string): number {
  const match =
    /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/u.exec(
      text.trim(),
    );
  if (match === null || match.slice(1).every((part) => part === undefined)) {
    throw invalidParameter(
      `Could not read a duration from --older-than '${text}'; use #d#h#m#s, e.g. '30d', '8h', '2d8h5m20s', '1.5d'`,
      { field: 'older_than' },
    );
  }
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  return Math.round(((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000);
}

async function allPages<T>(fetchPage: (token?: string) => Promise<{ items: T[]; nextPageToken?: string }>) {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (token !== undefined && token !== '');
  return items;
}

/**
 * When a deleted run was deleted: the store's record (MLflow's `deleted_time`), else, for a run deleted
 * by an MLflow release that did not record it, the latest time known to precede the deletion: its end
 * (else start), or its deleted experiment's deletion if later.
 */
function deletionTime(run: DeletedRun, experiment: Experiment | undefined): number {
  if (run.deletedTime !== undefined) return run.deletedTime;
  const own = run.info.end_time ?? run.info.start_time;
  if (experiment?.lifecycle_stage !== 'deleted' || experiment.last_update_time === undefined) return own;
  return Math.max(own, experiment.last_update_time);
}

/** True when an experiment's artifact location is a folder of its own (`<root>/<id>`, as stores derive it). */
function ownsArtifactLocation(experiment: Experiment): boolean {
  return experiment.artifact_location.replace(/\/+$/u, '').endsWith(`/${experiment.experiment_id}`);
}

/**
 * Works out exactly what `cairn gc` removes, following `mlflow gc`: every run deleted longer ago than the
 * cutoff (by its deletion time), or only the `runIds` given (which must be deleted and old enough); every
 * deleted experiment whose deletion (last update) is older than the cutoff, or only the `experimentIds`
 * given, together with all their runs. Nothing is changed here, so `--dry-run` prints this and stops.
 */
export async function planGc(store: TrackingStore, selection: GcSelection): Promise<GcPlan> {
  const threshold = (selection.now ?? Date.now()) - selection.olderThanMs;
  const old = (time: number | undefined) =>
    selection.olderThanMs === 0 || (time !== undefined && time < threshold);
  const notes: string[] = [];
  const namedExperiments = selection.experimentIds !== undefined && selection.experimentIds.length > 0;
  const namedRuns = selection.runIds !== undefined && selection.runIds.length > 0;

  if (namedExperiments && !store.capabilities.purgeExperiments) {
    throw new CairnError(
      'NOT_IMPLEMENTED',
      "This tracking store cannot remove experiments for good (MLflow's REST API has no such endpoint); run cairn gc with --backend-store-uri set to the server's database or mlruns directory",
      { details: { field: 'experiment_ids' } },
    );
  }
  let experiments: Experiment[];
  if (namedExperiments) {
    experiments = await Promise.all(
      [...new Set(selection.experimentIds)].map((id) => store.getExperiment(id)),
    );
    const active = experiments.filter((experiment) => experiment.lifecycle_stage !== 'deleted');
    if (active.length > 0) {
      throw invalidParameter(
        `Experiments ${active.map((e) => e.experiment_id).join(', ')} are not deleted; only deleted experiments can be removed for good`,
        { field: 'experiment_ids' },
      );
    }
    const young = experiments.filter((experiment) => !old(experiment.last_update_time));
    if (young.length > 0) {
      throw invalidParameter(
        `Experiments ${young.map((e) => e.experiment_id).join(', ')} were deleted too recently for --older-than`,
        { field: 'experiment_ids' },
      );
    }
  } else if (namedRuns) {
    // Unlike mlflow gc, naming runs does not also sweep every deleted experiment: a permanent delete
    // should touch only what was asked for.
    experiments = [];
  } else {
    const deleted = await allPages((pageToken) =>
      store.searchExperiments({
        viewType: 'DELETED_ONLY',
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    experiments = deleted.filter((experiment) => old(experiment.last_update_time));
    if (!store.capabilities.purgeExperiments && experiments.length > 0) {
      notes.push(
        `${experiments.length} deleted experiment(s) kept: this tracking store cannot remove experiments for good; run cairn gc with --backend-store-uri set to the server's backend store`,
      );
      experiments = [];
    }
  }

  const everyExperiment = await allPages((pageToken) =>
    store.searchExperiments({ viewType: 'ALL', maxResults: 1000, ...(pageToken ? { pageToken } : {}) }),
  );
  const byId = new Map(everyExperiment.map((experiment) => [experiment.experiment_id, experiment]));
  const deletedRuns = new Map((await store.listDeletedRuns()).map((run) => [run.info.run_id, run]));
  const runs = new Map<string, DeletedRun>();

  if (namedRuns) {
    for (const runId of new Set(selection.runIds)) {
      const run = deletedRuns.get(runId);
      if (run === undefined) {
        await store.getRun(runId); // RESOURCE_DOES_NOT_EXIST for an unknown id
        throw invalidParameter(`Run ${runId} is not deleted; only deleted runs can be removed for good`, {
          field: 'run_ids',
        });
      }
      if (!old(deletionTime(run, byId.get(run.info.experiment_id)))) {
        throw invalidParameter(`Run ${runId} was deleted too recently for --older-than`, {
          field: 'run_ids',
        });
      }
      runs.set(runId, run);
    }
  } else {
    for (const run of deletedRuns.values()) {
      if (old(deletionTime(run, byId.get(run.info.experiment_id)))) runs.set(run.info.run_id, run);
    }
  }
  // Every run of an experiment that goes, whatever its age or stage: the experiment is old enough as a
  // whole, and its runs' artifacts must go before the records that point at them.
  if (experiments.length > 0) {
    const experimentIds = experiments.map((experiment) => experiment.experiment_id);
    const all = await allPages((pageToken) =>
      store.searchRuns({
        experimentIds,
        runViewType: 'ALL',
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    for (const run of all) runs.set(run.info.run_id, deletedRuns.get(run.info.run_id) ?? { info: run.info });
  }

  return {
    runs: [...runs.values()].map((run) => ({
      run_id: run.info.run_id,
      experiment_id: run.info.experiment_id,
      artifact_uri: run.info.artifact_uri,
      ...(run.deletedTime === undefined ? {} : { deleted_time: run.deletedTime }),
      ...(run.info.end_time === undefined ? {} : { end_time: run.info.end_time }),
    })),
    experiments: experiments.map((experiment) => ({
      experiment_id: experiment.experiment_id,
      name: experiment.name,
      artifact_location: experiment.artifact_location,
      ...(experiment.last_update_time === undefined ? {} : { last_update_time: experiment.last_update_time }),
      delete_artifact_location: ownsArtifactLocation(experiment),
    })),
    notes,
  };
}

/**
 * True for the error opening an artifact URI no store plugin handles produces (core's `openArtifactStore`);
 * gc then keeps going, as mlflow gc does.
 */
export function isUnresolvableArtifactUri(error: unknown): boolean {
  return CairnError.isInstance(error) && /No store plugin handles the artifact URI/u.test(error.message);
}
