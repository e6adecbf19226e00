import type { DatasetInput, Experiment, Metric, Run, RunInfo } from '@cairn/core';
import type { Kysely, Selectable } from 'kysely';
import type { ExperimentsTable, MlflowDatabase, RunsTable } from './database-types.js';
import { metricValueFromRow, toNumber, toOptionalNumber } from './sql-values.js';

/** The `inputs` rows that tie a dataset, model input or model output to a run (MLflow's vocabulary). */
export const inputKinds = {
  dataset: { source: 'DATASET', destination: 'RUN' },
  modelInput: { source: 'RUN_INPUT', destination: 'MODEL_INPUT' },
  modelOutput: { source: 'RUN_OUTPUT', destination: 'MODEL_OUTPUT' },
} as const;

/** Builds an experiment from its row and its tags. */
export function experimentFromRow(
  row: Selectable<ExperimentsTable>,
  tags: { key: string; value: string }[],
): Experiment {
  const experiment: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location ?? '',
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    tags,
  };
  const creationTime = toOptionalNumber(row.creation_time);
  const lastUpdateTime = toOptionalNumber(row.last_update_time);
  if (creationTime !== undefined) experiment.creation_time = creationTime;
  if (lastUpdateTime !== undefined) experiment.last_update_time = lastUpdateTime;
  return experiment;
}

/** Builds a run's info from its row. */
export function runInfoFromRow(row: Selectable<RunsTable>): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name ?? '',
    experiment_id: String(row.experiment_id),
    user_id: row.user_id ?? '',
    status: (row.status ?? 'RUNNING') as RunInfo['status'],
    start_time: toOptionalNumber(row.start_time) ?? 0,
    artifact_uri: row.artifact_uri ?? '',
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
  const endTime = toOptionalNumber(row.end_time);
  if (endTime !== undefined) info.end_time = endTime;
  return info;
}

/** Loads the tags of experiments, keyed by experiment id. */
export async function loadExperimentTags(
  db: Kysely<MlflowDatabase>,
  experimentIds: readonly number[],
): Promise<Map<string, { key: string; value: string }[]>> {
  const tags = new Map<string, { key: string; value: string }[]>();
  if (experimentIds.length === 0) return tags;
  const rows = await db
    .selectFrom('experiment_tags')
    .select(['experiment_id', 'key', 'value'])
    .where('experiment_id', 'in', [...experimentIds])
    .orderBy('key')
    .execute();
  for (const row of rows) {
    const id = String(row.experiment_id);
    tags.set(id, [...(tags.get(id) ?? []), { key: row.key, value: row.value ?? '' }]);
  }
  return tags;
}

function group<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const id = key(row);
    const list = grouped.get(id);
    if (list === undefined) grouped.set(id, [row]);
    else list.push(row);
  }
  return grouped;
}

/**
 * Turns run rows (already selected, in page order) into full runs, fetching only these runs' latest
 * metrics, params, tags and inputs: one query per kind, never the whole table.
 */
export async function loadRuns(
  db: Kysely<MlflowDatabase>,
  runRows: readonly Selectable<RunsTable>[],
): Promise<Run[]> {
  if (runRows.length === 0) return [];
  const ids = runRows.map((row) => row.run_uuid);
  const [metrics, params, tags, datasets, links] = await Promise.all([
    db
      .selectFrom('latest_metrics')
      .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
      .where('run_uuid', 'in', ids)
      .orderBy('key')
      .execute(),
    db
      .selectFrom('params')
      .select(['run_uuid', 'key', 'value'])
      .where('run_uuid', 'in', ids)
      .orderBy('key')
      .execute(),
    db
      .selectFrom('tags')
      .select(['run_uuid', 'key', 'value'])
      .where('run_uuid', 'in', ids)
      .orderBy('key')
      .execute(),
    db
      .selectFrom('inputs')
      .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
      .select([
        'inputs.input_uuid',
        'inputs.destination_id',
        'datasets.name',
        'datasets.digest',
        'datasets.dataset_source_type',
        'datasets.dataset_source',
        'datasets.dataset_schema',
        'datasets.dataset_profile',
      ])
      .where('inputs.source_type', '=', inputKinds.dataset.source)
      .where('inputs.destination_type', '=', inputKinds.dataset.destination)
      .where('inputs.destination_id', 'in', ids)
      .orderBy('datasets.name')
      .orderBy('datasets.digest')
      .execute(),
    db
      .selectFrom('inputs')
      .select(['source_type', 'source_id', 'destination_id', 'step'])
      .where('source_type', 'in', [inputKinds.modelInput.source, inputKinds.modelOutput.source])
      .where('source_id', 'in', ids)
      .orderBy('destination_id')
      .execute(),
  ]);
  const inputIds = datasets.map((row) => row.input_uuid);
  const inputTags =
    inputIds.length === 0
      ? []
      : await db
          .selectFrom('input_tags')
          .selectAll()
          .where('input_uuid', 'in', inputIds)
          .orderBy('name')
          .execute();
  const metricsByRun = group(metrics, (row) => row.run_uuid);
  const paramsByRun = group(params, (row) => row.run_uuid);
  const tagsByRun = group(tags, (row) => row.run_uuid);
  const datasetsByRun = group(datasets, (row) => row.destination_id);
  const linksByRun = group(links, (row) => row.source_id);
  const tagsByInput = group(inputTags, (row) => row.input_uuid);

  return runRows.map((row) => {
    const id = row.run_uuid;
    const latest: Metric[] = (metricsByRun.get(id) ?? []).map((metric) => ({
      key: metric.key,
      value: metricValueFromRow(metric.value, metric.is_nan),
      timestamp: toOptionalNumber(metric.timestamp) ?? 0,
      step: toNumber(metric.step),
    }));
    const datasetInputs: DatasetInput[] = (datasetsByRun.get(id) ?? []).map((input) => {
      const dataset: DatasetInput['dataset'] = {
        name: input.name,
        digest: input.digest,
        source_type: input.dataset_source_type,
        source: input.dataset_source,
      };
      if (input.dataset_schema !== null) dataset.schema = input.dataset_schema;
      if (input.dataset_profile !== null) dataset.profile = input.dataset_profile;
      const tagsOfInput = (tagsByInput.get(input.input_uuid) ?? []).map((tag) => ({
        key: tag.name,
        value: tag.value,
      }));
      return { tags: tagsOfInput, dataset };
    });
    const runLinks = linksByRun.get(id) ?? [];
    return {
      info: runInfoFromRow(row),
      data: {
        metrics: latest,
        params: (paramsByRun.get(id) ?? []).map((param) => ({ key: param.key, value: param.value })),
        tags: (tagsByRun.get(id) ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? '' })),
      },
      inputs: {
        dataset_inputs: datasetInputs,
        model_inputs: runLinks
          .filter((link) => link.source_type === inputKinds.modelInput.source)
          .map((link) => ({ model_id: link.destination_id })),
      },
      outputs: {
        model_outputs: runLinks
          .filter((link) => link.source_type === inputKinds.modelOutput.source)
          .map((link) => ({ model_id: link.destination_id, step: toNumber(link.step) })),
      },
    };
  });
}

/**
 * Loads full runs by id, in the order given (a search page's order): their rows in one query, then
 * `loadRuns`. Ids with no row are left out.
 */
export async function loadRunsById(db: Kysely<MlflowDatabase>, ids: readonly string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('run_uuid', 'in', [...ids])
    .execute();
  const byId = new Map(rows.map((row) => [row.run_uuid, row]));
  return loadRuns(
    db,
    ids.flatMap((id) => {
      const row = byId.get(id);
      return row === undefined ? [] : [row];
    }),
  );
}
