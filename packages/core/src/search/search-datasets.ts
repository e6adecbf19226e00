import type { SearchDatasetsInput } from '../contracts/tracking-store.js';
import type { DatasetInput, DatasetSummary } from '../entities/tracking.js';
import { invalidParameter } from '../errors.js';
import { limits } from '../limits.js';
import { systemTags } from '../tags.js';

/**
 * Checks a {@link SearchDatasetsInput} as MLflow's server does (1 to 20 experiment ids) and returns the ids
 * without repeats. Every store calls it first, so a store reached directly refuses what the server refuses.
 */
export function validateSearchDatasetsInput(input: SearchDatasetsInput): string[] {
  const count = input.experimentIds.length;
  if (count === 0) {
    throw invalidParameter('SearchDatasets request must specify at least one experiment_id.', {
      field: 'experiment_ids',
    });
  }
  const max = limits.searchDatasetsMaxExperimentIds;
  if (count > max) {
    throw invalidParameter(
      `SearchDatasets request cannot specify more than ${max} experiment_ids. Received ${count} experiment_ids.`,
      { field: 'experiment_ids', limit: max },
    );
  }
  return [...new Set(input.experimentIds)];
}

/** The dataset inputs of one run, with the experiment the run belongs to. */
export interface ExperimentDatasetInputs {
  experimentId: string;
  datasetInputs: readonly DatasetInput[];
}

/**
 * The distinct summaries of runs' dataset inputs, for stores that read runs in memory: one per
 * (experiment, name, digest, context), stopping at MLflow's 1000.
 */
export function summariseDatasetInputs(runs: Iterable<ExperimentDatasetInputs>): DatasetSummary[] {
  const summaries = new Map<string, DatasetSummary>();
  for (const { experimentId, datasetInputs } of runs) {
    for (const { dataset, tags } of datasetInputs) {
      const context = tags.find((tag) => tag.key === systemTags.datasetContext)?.value;
      const key = JSON.stringify([experimentId, dataset.name, dataset.digest, context ?? null]);
      if (summaries.has(key)) continue;
      const summary: DatasetSummary = {
        experiment_id: experimentId,
        name: dataset.name,
        digest: dataset.digest,
      };
      if (context !== undefined) summary.context = context;
      summaries.set(key, summary);
      if (summaries.size === limits.searchDatasetsMaxResults) return [...summaries.values()];
    }
  }
  return [...summaries.values()];
}
