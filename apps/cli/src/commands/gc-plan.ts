import { CairnError, type Experiment, invalidParameter, type Run, type TrackingStore } from '@cairn/core';

/** What `cairn gc` removes: deleted runs (with their artifacts) and the deleted experiments they came from. */
export interface GcPlan {
  runs: { run_id: string; experiment_id: string; artifact_uri: string; end_time?: number }[];
  experiments: { experiment_id: string; name: string; last_update_time?: number }[];
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
 * The age of a deleted run. The tracking contract does not expose the deletion time itself, so this is the
 * latest time known to precede it: the run's end (else start), or, for a run in a deleted experiment, the
 * experiment's deletion (its last update) if later, since deleting an experiment deletes its runs.
 */
function lastActivity(run: Run, experiment: Experiment | undefined): number {
  const own = run.info.end_time ?? run.info.start_time;
  if (experiment?.lifecycle_stage !== 'deleted' || experiment.last_update_time === undefined) return own;
  return Math.max(own, experiment.last_update_time);
}

/**
 * Works out exactly what `cairn gc` removes, following `mlflow gc`: every deleted run older than the
 * cutoff, or only the `runIds` given (which must be deleted and old enough); every deleted experiment
 * whose last update is older than the cutoff, or only the `experimentIds` given, together with all their
 * runs. Nothing is changed here, so `--dry-run` prints this and stops.
 */
export async function planGc(store: TrackingStore, selection: GcSelection): Promise<GcPlan> {
  const threshold = (selection.now ?? Date.now()) - selection.olderThanMs;
  const old = (time: number | undefined) =>
    selection.olderThanMs === 0 || (time !== undefined && time < threshold);

  let experiments: Experiment[];
  if (selection.experimentIds !== undefined && selection.experimentIds.length > 0) {
    experiments = await Promise.all(selection.experimentIds.map((id) => store.getExperiment(id)));
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
        `Experiments ${young.map((e) => e.experiment_id).join(', ')} were updated too recently for --older-than`,
        { field: 'experiment_ids' },
      );
    }
  } else if (selection.runIds !== undefined && selection.runIds.length > 0) {
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
  }

  const runs = new Map<string, Run>();
  const deletedRunsOf = (experimentIds: string[]) =>
    experimentIds.length === 0
      ? Promise.resolve([])
      : allPages((pageToken) =>
          store.searchRuns({
            experimentIds,
            runViewType: 'DELETED_ONLY',
            maxResults: 1000,
            ...(pageToken ? { pageToken } : {}),
          }),
        );

  if (selection.runIds !== undefined && selection.runIds.length > 0) {
    for (const runId of new Set(selection.runIds)) {
      const run = await store.getRun(runId);
      if (run.info.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Run ${runId} is not deleted; only deleted runs can be removed for good`, {
          field: 'run_ids',
        });
      }
      if (!old(lastActivity(run, await store.getExperiment(run.info.experiment_id)))) {
        throw invalidParameter(`Run ${runId} is not older than --older-than`, { field: 'run_ids' });
      }
      runs.set(runId, run);
    }
  } else {
    const everyExperiment = await allPages((pageToken) =>
      store.searchExperiments({ viewType: 'ALL', maxResults: 1000, ...(pageToken ? { pageToken } : {}) }),
    );
    const byId = new Map(everyExperiment.map((experiment) => [experiment.experiment_id, experiment]));
    for (const run of await deletedRunsOf([...byId.keys()])) {
      if (old(lastActivity(run, byId.get(run.info.experiment_id)))) runs.set(run.info.run_id, run);
    }
  }
  // Every run of an experiment that goes, whatever its age: the experiment is old enough as a whole.
  for (const run of await deletedRunsOf(experiments.map((experiment) => experiment.experiment_id))) {
    runs.set(run.info.run_id, run);
  }

  return {
    runs: [...runs.values()].map((run) => ({
      run_id: run.info.run_id,
      experiment_id: run.info.experiment_id,
      artifact_uri: run.info.artifact_uri,
      ...(run.info.end_time === undefined ? {} : { end_time: run.info.end_time }),
    })),
    experiments: experiments.map((experiment) => ({
      experiment_id: experiment.experiment_id,
      name: experiment.name,
      ...(experiment.last_update_time === undefined ? {} : { last_update_time: experiment.last_update_time }),
    })),
  };
}

/** True for the error an artifact URI no resolver handles produces (gc then keeps going, as mlflow gc does). */
export function isUnresolvableArtifactUri(error: unknown): boolean {
  return CairnError.isInstance(error) && /No artifact store handles/u.test(error.message);
}
