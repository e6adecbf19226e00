import {
  type DatasetSummary,
  limits,
  type SearchDatasetsInput,
  systemTags,
  validateSearchDatasetsInput,
} from '@cairn/core';
import type { SqlDatabase } from './open-sql-database.js';
import { inputKinds } from './sql-rows.js';
import { experimentIdNumber } from './sql-values.js';

/**
 * `searchDatasets` in one query, as MLflow's SQL store runs it: the experiments' datasets joined to the
 * run inputs that use them, and LEFT joined to each input's context tag (an input without one still
 * counts), DISTINCT, at most 1000 rows.
 */
export async function searchDatasetsInSql(
  database: SqlDatabase,
  input: SearchDatasetsInput,
): Promise<DatasetSummary[]> {
  // SQL experiment ids are integers; any other id names no experiment.
  const ids = validateSearchDatasetsInput(input).flatMap((id) => {
    const number = experimentIdNumber(id);
    return number === undefined ? [] : [number];
  });
  if (ids.length === 0) return [];
  const rows = await database.db
    .selectFrom('datasets')
    .innerJoin('inputs', (join) =>
      join
        .onRef('inputs.source_id', '=', 'datasets.dataset_uuid')
        // Named so the join can use the inputs primary key, which starts with source_type.
        .on('inputs.source_type', '=', inputKinds.dataset.source)
        .on('inputs.destination_type', '=', inputKinds.dataset.destination),
    )
    .leftJoin('input_tags', (join) =>
      join
        .onRef('input_tags.input_uuid', '=', 'inputs.input_uuid')
        .on('input_tags.name', '=', systemTags.datasetContext),
    )
    .select(['datasets.experiment_id', 'datasets.name', 'datasets.digest', 'input_tags.value as context'])
    .distinct()
    .where('datasets.experiment_id', 'in', ids)
    .limit(limits.searchDatasetsMaxResults)
    .execute();
  return rows.map((row) => {
    const summary: DatasetSummary = {
      experiment_id: String(row.experiment_id),
      name: row.name,
      digest: row.digest,
    };
    if (row.context !== null) summary.context = row.context;
    return summary;
  });
}
