import {
  alreadyExists,
  assertExperimentActive,
  type CreateExperimentInput,
  defaultExperiment,
  doesNotExist,
  type Experiment,
  invalidParameter,
  resolveArtifactLocation,
  type TrackingStore,
  validateArtifactLocation,
  validateExperimentName,
  validateExperimentTag,
} from '@cairn/core';
import { sql } from 'kysely';
import type { SqlDatabase } from './open-sql-database.js';
import { purgeExperimentRows } from './sql-experiment-purge.js';
import { experimentFromRow, loadExperimentTags } from './sql-rows.js';
import { searchExperimentsInSql } from './sql-search.js';
import { writeTransaction } from './sql-transaction.js';
import { experimentIdNumber, isUniqueViolation, toNumber } from './sql-values.js';

/** The experiment half of the SQL tracking store. */
export type ExperimentOperations = Pick<
  TrackingStore,
  | 'createExperiment'
  | 'getExperiment'
  | 'getExperimentByName'
  | 'searchExperiments'
  | 'renameExperiment'
  | 'deleteExperiment'
  | 'restoreExperiment'
  | 'purgeExperiment'
  | 'setExperimentTag'
  | 'deleteExperimentTag'
>;

/** What the experiment operations share with the rest of the store. */
export interface ExperimentContext {
  database: SqlDatabase;
  /** Where experiments' artifacts go by default, without a trailing slash. */
  artifactRoot: string;
  /** Resolves once the schema is ready; rejects when the store is closed or could not open. */
  open(): Promise<void>;
}

/** Inserts MLflow's Default experiment (id 0) when the database lacks it, as MLflow's store does on start. */
export async function ensureDefaultExperiment(database: SqlDatabase, artifactRoot: string): Promise<void> {
  const { db, dialect } = database;
  const present = await db
    .selectFrom('experiments')
    .select('experiment_id')
    .where('experiment_id', '=', 0)
    .executeTakeFirst();
  if (present !== undefined) return;
  const now = Date.now();
  try {
    await db.connection().execute(async (connection) => {
      // MySQL would otherwise read an explicit 0 in an AUTO_INCREMENT column as "next id", as MLflow notes.
      if (dialect === 'mysql') {
        await sql`SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`.execute(
          connection,
        );
      }
      try {
        await connection
          .insertInto('experiments')
          .values({
            experiment_id: 0,
            name: defaultExperiment.name,
            artifact_location: `${artifactRoot}/0`,
            lifecycle_stage: 'active',
            creation_time: now,
            last_update_time: now,
          })
          .execute();
      } finally {
        // The connection goes back to the pool; it must not keep the relaxed mode.
        if (dialect === 'mysql') {
          await sql`SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_AUTO_VALUE_ON_ZERO', '')`.execute(
            connection,
          );
        }
      }
    });
  } catch (error) {
    // Another process created it first.
    if (!isUniqueViolation(error)) throw error;
  }
}

/** Looks experiments up by id, failing with MLflow's errors. */
export function experimentLookup(context: ExperimentContext) {
  const { db } = context.database;
  const open = context.open;
  const findExperimentRow = async (experimentId: string) => {
    await open();
    const id = experimentIdNumber(experimentId);
    const row =
      id === undefined
        ? undefined
        : await db.selectFrom('experiments').selectAll().where('experiment_id', '=', id).executeTakeFirst();
    if (row === undefined) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
    return row;
  };
  const findActiveExperiment = async (experimentId: string) => {
    const row = await findExperimentRow(experimentId);
    assertExperimentActive({
      experiment_id: experimentId,
      lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    });
    return row;
  };
  return { findExperimentRow, findActiveExperiment };
}

/** Creates the experiment operations over a database. */
export function createExperimentOperations(context: ExperimentContext): ExperimentOperations {
  const { database, artifactRoot, open } = context;
  const { db, dialect } = database;
  const { findExperimentRow, findActiveExperiment } = experimentLookup(context);
  const withExperimentTags = async (
    row: Awaited<ReturnType<typeof findExperimentRow>>,
  ): Promise<Experiment> => {
    const tags = await loadExperimentTags(db, [Number(row.experiment_id)]);
    return experimentFromRow(row, tags.get(String(row.experiment_id)) ?? []);
  };
  const nameTaken = (name: string, field: string) =>
    alreadyExists(`Experiment(name=${name}) already exists.`, { field });

  return {
    async createExperiment(input: CreateExperimentInput) {
      await open();
      const name = validateExperimentName(input.name);
      const tags = (input.tags ?? []).map(validateExperimentTag);
      // As MLflow's stores do, a relative local location is made absolute against the working directory.
      const artifactLocation = input.artifactLocation
        ? validateArtifactLocation(resolveArtifactLocation(input.artifactLocation, process.cwd()))
        : input.artifactLocation;
      const now = Date.now();
      try {
        return await writeTransaction(database, async (transaction) => {
          const values = {
            name,
            artifact_location: artifactLocation || null,
            lifecycle_stage: 'active',
            creation_time: now,
            last_update_time: now,
          };
          let id: number;
          if (dialect === 'mysql') {
            const result = await transaction
              .insertInto('experiments')
              .values(values)
              .executeTakeFirstOrThrow();
            id = Number(result.insertId);
          } else {
            const row = await transaction
              .insertInto('experiments')
              .values(values)
              .returning('experiment_id')
              .executeTakeFirstOrThrow();
            id = Number(row.experiment_id);
          }
          // MLflow also derives the default location from the id, which only exists after the insert.
          if (!input.artifactLocation) {
            await transaction
              .updateTable('experiments')
              .set({ artifact_location: `${artifactRoot}/${id}` })
              .where('experiment_id', '=', id)
              .execute();
          }
          const unique = [...new Map(tags.map((tag) => [tag.key, tag])).values()];
          if (unique.length > 0) {
            await transaction
              .insertInto('experiment_tags')
              .values(unique.map((tag) => ({ key: tag.key, value: tag.value, experiment_id: id })))
              .execute();
          }
          return String(id);
        });
      } catch (error) {
        // The unique constraint on (workspace, name) decides races between concurrent creators.
        if (isUniqueViolation(error)) throw nameTaken(name, 'name');
        throw error;
      }
    },

    async getExperiment(experimentId) {
      return withExperimentTags(await findExperimentRow(experimentId));
    },

    async getExperimentByName(name) {
      await open();
      const rows = await db.selectFrom('experiments').selectAll().where('name', '=', name).execute();
      const found = rows.find((row) => row.lifecycle_stage !== 'deleted') ?? rows[0];
      return found === undefined ? undefined : withExperimentTags(found);
    },

    async searchExperiments(input) {
      await open();
      return searchExperimentsInSql(database, input);
    },

    async renameExperiment(experimentId, newName) {
      const row = await findActiveExperiment(experimentId);
      const name = validateExperimentName(newName);
      try {
        await db
          .updateTable('experiments')
          .set({ name, last_update_time: Date.now() })
          .where('experiment_id', '=', Number(row.experiment_id))
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(name, 'new_name');
        throw error;
      }
    },

    async deleteExperiment(experimentId) {
      const row = await findExperimentRow(experimentId);
      const now = Date.now();
      await writeTransaction(database, async (transaction) => {
        await transaction
          .updateTable('experiments')
          .set({ lifecycle_stage: 'deleted', last_update_time: now })
          .where('experiment_id', '=', Number(row.experiment_id))
          .execute();
        // Stamped with the experiment's deletion time, so restoring it can tell these runs apart.
        await transaction
          .updateTable('runs')
          .set({ lifecycle_stage: 'deleted', deleted_time: now })
          .where('experiment_id', '=', Number(row.experiment_id))
          .where('lifecycle_stage', '=', 'active')
          .execute();
      });
    },

    async restoreExperiment(experimentId) {
      const row = await findExperimentRow(experimentId);
      const deletedAt = row.lifecycle_stage === 'deleted' ? toNumber(row.last_update_time ?? 0) : undefined;
      await writeTransaction(database, async (transaction) => {
        await transaction
          .updateTable('experiments')
          .set({ lifecycle_stage: 'active', last_update_time: Date.now() })
          .where('experiment_id', '=', Number(row.experiment_id))
          .execute();
        if (deletedAt === undefined) return;
        await transaction
          .updateTable('runs')
          .set({ lifecycle_stage: 'active', deleted_time: null })
          .where('experiment_id', '=', Number(row.experiment_id))
          .where('lifecycle_stage', '=', 'deleted')
          .where('deleted_time', '>=', deletedAt)
          .execute();
      });
    },

    async purgeExperiment(experimentId) {
      const id = Number((await findExperimentRow(experimentId)).experiment_id);
      await writeTransaction(database, async (transaction) => {
        // Checked again inside the transaction (and the row locked), so a concurrent restore wins or waits.
        let query = transaction
          .selectFrom('experiments')
          .select('lifecycle_stage')
          .where('experiment_id', '=', id);
        if (dialect !== 'sqlite') query = query.forUpdate();
        const row = await query.executeTakeFirst();
        if (row === undefined) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
        if (row.lifecycle_stage !== 'deleted') {
          throw invalidParameter(`Experiment ${experimentId} must be deleted before it is purged`, {
            field: 'experiment_id',
          });
        }
        await purgeExperimentRows(transaction, dialect, id);
      });
    },

    async setExperimentTag(experimentId, tag) {
      const row = await findActiveExperiment(experimentId);
      const valid = validateExperimentTag(tag);
      const id = Number(row.experiment_id);
      await writeTransaction(database, async (transaction) => {
        await transaction
          .deleteFrom('experiment_tags')
          .where('experiment_id', '=', id)
          .where('key', '=', valid.key)
          .execute();
        await transaction
          .insertInto('experiment_tags')
          .values({ key: valid.key, value: valid.value, experiment_id: id })
          .execute();
      });
    },

    async deleteExperimentTag(experimentId, key) {
      const row = await findActiveExperiment(experimentId);
      const result = await db
        .deleteFrom('experiment_tags')
        .where('experiment_id', '=', Number(row.experiment_id))
        .where('key', '=', key)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw doesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`, {
          field: 'key',
        });
      }
    },
  };
}
