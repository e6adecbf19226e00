import type { RunTag } from './entities/tracking.js';
import { invalidParameter } from './errors.js';
import { generateRunName } from './run-name.js';
import { systemTags } from './tags.js';

/**
 * Settles a new run's name the way MLflow's stores do: the given name, else the `mlflow.runName` tag,
 * else a generated one; the returned tags always carry `mlflow.runName`. A name and a tag that disagree
 * fail with INVALID_PARAMETER_VALUE.
 */
export function resolveRunName(
  runName: string | undefined,
  tags: readonly RunTag[],
): { runName: string; tags: RunTag[] } {
  const tagged = tags.findLast((tag) => tag.key === systemTags.runName)?.value;
  const given = runName === '' ? undefined : runName;
  if (given !== undefined && tagged !== undefined && given !== tagged) {
    throw invalidParameter(
      `Both 'run_name' argument and '${systemTags.runName}' tag are specified, but with different values (run_name='${given}', ${systemTags.runName}='${tagged}')`,
      { field: 'run_name' },
    );
  }
  const resolved = given ?? (tagged === undefined || tagged === '' ? generateRunName() : tagged);
  const others = tags.filter((tag) => tag.key !== systemTags.runName);
  return { runName: resolved, tags: [...others, { key: systemTags.runName, value: resolved }] };
}
