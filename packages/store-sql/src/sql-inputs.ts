import { randomUUID } from 'node:crypto';
import { type LogInputsInput, type LogOutputsInput, validateDatasetInputs } from '@cairn/core';
import { inputKinds } from './sql-rows.js';
import type { SqlTransaction } from './sql-transaction.js';

/** MLflow's dataset and input ids are uuid4 hex strings. */
const newUuid = () => randomUUID().replace(/-/gu, '');

/** Adds an `inputs` link unless the same one exists (its primary key is the four ends). */
async function link(
  transaction: SqlTransaction,
  kind: (typeof inputKinds)[keyof typeof inputKinds],
  sourceId: string,
  destinationId: string,
  step?: number,
): Promise<string | undefined> {
  const existing = await transaction
    .selectFrom('inputs')
    .select('input_uuid')
    .where('source_type', '=', kind.source)
    .where('source_id', '=', sourceId)
    .where('destination_type', '=', kind.destination)
    .where('destination_id', '=', destinationId)
    .executeTakeFirst();
  if (existing !== undefined) return undefined;
  const inputUuid = newUuid();
  await transaction
    .insertInto('inputs')
    .values({
      input_uuid: inputUuid,
      source_type: kind.source,
      source_id: sourceId,
      destination_type: kind.destination,
      destination_id: destinationId,
      ...(step === undefined ? {} : { step }),
    })
    .execute();
  return inputUuid;
}

/**
 * Records dataset and model inputs of a run. Datasets belong to the experiment (one row per name and
 * digest, as in MLflow); logging one a run already has is a no-op that keeps the first tags.
 */
export async function logInputsInSql(
  transaction: SqlTransaction,
  experimentId: number,
  input: LogInputsInput,
): Promise<void> {
  for (const { dataset, tags } of validateDatasetInputs(input.datasets ?? [])) {
    const found = await transaction
      .selectFrom('datasets')
      .select('dataset_uuid')
      .where('experiment_id', '=', experimentId)
      .where('name', '=', dataset.name)
      .where('digest', '=', dataset.digest)
      .executeTakeFirst();
    let datasetUuid = found?.dataset_uuid;
    if (datasetUuid === undefined) {
      datasetUuid = newUuid();
      await transaction
        .insertInto('datasets')
        .values({
          dataset_uuid: datasetUuid,
          experiment_id: experimentId,
          name: dataset.name,
          digest: dataset.digest,
          dataset_source_type: dataset.source_type,
          dataset_source: dataset.source,
          dataset_schema: dataset.schema ?? null,
          dataset_profile: dataset.profile ?? null,
        })
        .execute();
    }
    const inputUuid = await link(transaction, inputKinds.dataset, datasetUuid, input.runId);
    const uniqueTags = [...new Map(tags.map((tag) => [tag.key, tag])).values()];
    if (inputUuid !== undefined && uniqueTags.length > 0) {
      await transaction
        .insertInto('input_tags')
        .values(uniqueTags.map((tag) => ({ input_uuid: inputUuid, name: tag.key, value: tag.value })))
        .execute();
    }
  }
  for (const model of input.models ?? []) {
    await link(transaction, inputKinds.modelInput, input.runId, model.model_id);
  }
}

/** Records logged models a run produced; the same model twice is stored once (MLflow's key has no step). */
export async function logOutputsInSql(transaction: SqlTransaction, input: LogOutputsInput): Promise<void> {
  for (const model of input.models) {
    await link(transaction, inputKinds.modelOutput, input.runId, model.model_id, model.step);
  }
}
