import {
  CairnError,
  type ExperimentDatasetInputs,
  summariseDatasetInputs,
  type TrackingStore,
  validateSearchDatasetsInput,
} from '@cairn/core';
import type { createMlrunsTree } from './mlruns-tree.js';
import { readDatasetInputs } from './run-files.js';

/**
 * `searchDatasets` over an mlruns tree: reads the `inputs/` of every run (deleted ones too) of the named
 * experiments, as MLflow's FileStore does.
 */
export function createFileDatasetSearch(
  tree: ReturnType<typeof createMlrunsTree>,
): Pick<TrackingStore, 'searchDatasets'> {
  const { findExperiment, runsOf } = tree;
  return {
    async searchDatasets(input) {
      const runs: ExperimentDatasetInputs[] = [];
      for (const experimentId of validateSearchDatasetsInput(input)) {
        const experimentDir = await findExperiment(experimentId).then(
          (located) => located.dir,
          (error: unknown) => {
            // An unknown id adds nothing, as in MLflow's SQL store (its FileStore would fail instead).
            if (CairnError.isInstance(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
            throw error;
          },
        );
        if (experimentDir === undefined) continue;
        const located = await runsOf(experimentDir);
        const inputs = await Promise.all(located.map((run) => readDatasetInputs(run.dir, experimentDir)));
        for (const { datasets } of inputs) runs.push({ experimentId, datasetInputs: datasets });
      }
      return summariseDatasetInputs(runs);
    },
  };
}
