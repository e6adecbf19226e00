import { rename, rm } from 'node:fs/promises';
import { CairnError, invalidParameter, type TrackingStore } from '@cairn/core';
import { transientSibling } from './fs-io.js';
import type { createMlrunsTree } from './mlruns-tree.js';

/** The garbage-collection half of the file tracking store. */
export type FilePurgeOperations = Pick<TrackingStore, 'listDeletedRuns' | 'purgeRun' | 'purgeExperiment'>;

/**
 * Deleted runs with their `deleted_time` (from meta.yaml, as MLflow's FileStore writes it) and permanent
 * removal of deleted runs and experiments, over an mlruns tree.
 */
export function createFilePurgeOperations(tree: ReturnType<typeof createMlrunsTree>): FilePurgeOperations {
  const { ensureReady, findExperiment, allExperiments, findRun, runsOf, withRootLock } = tree;
  return {
    async listDeletedRuns(input = {}) {
      const experiments =
        input.experimentIds === undefined
          ? await allExperiments()
          : (
              await Promise.all(
                [...new Set(input.experimentIds)].map((id) =>
                  findExperiment(id).catch((error: unknown) => {
                    if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST')
                      return undefined;
                    throw error;
                  }),
                ),
              )
            ).filter((found) => found !== undefined);
      const deleted = [];
      for (const { dir } of experiments) {
        for (const run of await runsOf(dir)) {
          if (run.info.lifecycle_stage !== 'deleted') continue;
          deleted.push(
            run.deletedTime === undefined
              ? { info: run.info }
              : { info: run.info, deletedTime: run.deletedTime },
          );
        }
      }
      return deleted;
    },

    async purgeRun(runId) {
      const run = await findRun(runId);
      if (run.info.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Run ${runId} must be deleted before it is purged`, { field: 'run_id' });
      }
      await rm(run.dir, { recursive: true, force: true });
      tree.forgetRun(run.info.run_id);
    },

    async purgeExperiment(experimentId) {
      await ensureReady();
      const doomed = await withRootLock(async () => {
        const { experiment, dir } = await findExperiment(experimentId);
        if (experiment.lifecycle_stage !== 'deleted') {
          throw invalidParameter(`Experiment ${experimentId} must be deleted before it is purged`, {
            field: 'experiment_id',
          });
        }
        const runs = await runsOf(dir);
        // One rename takes the whole folder out of sight at once (readers skip transient names), so a
        // crash during the removal below leaves an invisible leftover, never half an experiment.
        const hidden = transientSibling(dir);
        await rename(dir, hidden);
        for (const run of runs) tree.forgetRun(run.info.run_id);
        return hidden;
      });
      await rm(doomed, { recursive: true, force: true });
    },
  };
}
