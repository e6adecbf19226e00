import type { ViewType } from './entities/enums.js';
import type { Experiment, RunInfo } from './entities/tracking.js';
import { invalidParameter } from './errors.js';

/** Refuses a write to a soft-deleted run, with MLflow's INVALID_PARAMETER_VALUE. */
export function assertRunActive(info: Pick<RunInfo, 'run_id' | 'lifecycle_stage'>): void {
  if (info.lifecycle_stage !== 'active') {
    throw invalidParameter(
      `The run ${info.run_id} must be in the 'active' state. Current state is ${info.lifecycle_stage}.`,
      { field: 'run_id' },
    );
  }
}

/** Refuses a change to a soft-deleted experiment, with MLflow's INVALID_PARAMETER_VALUE. */
export function assertExperimentActive(
  experiment: Pick<Experiment, 'experiment_id' | 'lifecycle_stage'>,
): void {
  if (experiment.lifecycle_stage !== 'active') {
    throw invalidParameter(
      `The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      { field: 'experiment_id' },
    );
  }
}

/**
 * Refuses to change a param that already has a value (MLflow params are write-once); logging the same
 * value again is allowed. `existing` looks up the stored value of a key.
 */
export function assertParamsUnchanged(
  runId: string,
  params: readonly { key: string; value: string }[],
  existing: (key: string) => string | undefined,
): void {
  for (const param of params) {
    const previous = existing(param.key);
    if (previous !== undefined && previous !== param.value) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${previous}' for run ID='${runId}'. Attempted logging new value '${param.value}'.`,
        { field: 'params', key: param.key },
      );
    }
  }
}

/** True when an entity in `stage` belongs in a search with `viewType` (default ACTIVE_ONLY). */
export function matchesViewType(stage: 'active' | 'deleted', viewType: ViewType = 'ACTIVE_ONLY'): boolean {
  if (viewType === 'ALL') return true;
  return viewType === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted';
}
