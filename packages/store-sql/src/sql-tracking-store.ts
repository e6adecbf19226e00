import { resolve } from 'node:path';
import {
  alreadyExists,
  assertExperimentActive,
  assertRunActive,
  CairnError,
  type CreateExperimentInput,
  type CreateRunInput,
  createRunId,
  defaultExperiment,
  doesNotExist,
  type Experiment,
  type GetMetricHistoryInput,
  invalidParameter,
  type LogBatchInput,
  type Metric,
  pageMetricHistory,
  pathToFileUri,
  type Run,
  resolveRunName,
  systemTags,
  type TrackingStore,
  type UpdateRunInput,
  validateArtifactLocation,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateRunTag,
} from '@cairn/core';
import { sql } from 'kysely';
import { type OpenSqlDatabaseOptions, openSqlDatabase, type SqlDatabase } from './open-sql-database.js';
import { logInputsInSql, logOutputsInSql } from './sql-inputs.js';
import { logBatchInSql, writeRunTags } from './sql-log-batch.js';
import { experimentFromRow, loadExperimentTags, loadRuns, runInfoFromRow } from './sql-rows.js';
import { searchExperimentsInSql, searchRunsInSql } from './sql-search.js';
import { lockRun, writeTransaction } from './sql-transaction.js';
import { isUniqueViolation, metricValueFromRow, toNumber } from './sql-values.js';
import { ensureDatabaseSchema } from './upgrade-database.js';

/** Options of {@link createSqlTrackingStore}. */
export interface SqlTrackingStoreOptions extends OpenSqlDatabaseOptions {
  /** `sqlite:///path.db`, `postgresql://user:password@host/db` or `mysql://user:password@host/db`. */
  uri: string;
  /** Where experiments' artifacts go by default; default `./mlruns` as a file URI, as MLflow does. */
  artifactRoot?: string;
  /** Create MLflow's schema in an empty database; default true. When false an empty database is an error. */
  createSchema?: boolean;
}

/** The numeric form of an experiment id, or undefined for an id no SQL experiment can have. */
function numericId(experimentId: string): number | undefined {
  return /^[0-9]{1,15}$/u.test(experimentId) ? Number(experimentId) : undefined;
}

/**
 * A tracking store over SQL in MLflow 3.18.0's schema: a database MLflow made opens as is, and MLflow opens
 * one Cairn made. SQLite, PostgreSQL and MySQL/MariaDB; the driver is imported on first use.
 */
export function createSqlTrackingStore(options: SqlTrackingStoreOptions): TrackingStore {
  const database: SqlDatabase = openSqlDatabase(options.uri, options);
  const { db, dialect } = database;
  const artifactRoot = (options.artifactRoot ?? pathToFileUri(resolve('mlruns'))).replace(/\/+$/u, '');
  let closed = false;

  const ensureDefaultExperiment = async () => {
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
        if (dialect === 'mysql')
          await sql`SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`.execute(
            connection,
          );
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
        if (dialect === 'mysql')
          await sql`SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_AUTO_VALUE_ON_ZERO', '')`.execute(
            connection,
          );
      });
    } catch (error) {
      // Another process created it first.
      if (!isUniqueViolation(error)) throw error;
    }
  };

  const ready = (async () => {
    await ensureDatabaseSchema(database, options.createSchema ?? true);
    await ensureDefaultExperiment();
  })();
  // A failure surfaces on the first call; this keeps it from being reported as unhandled before then.
  ready.catch(() => undefined);

  const open = async () => {
    if (closed) throw new CairnError('INVALID_STATE', 'The SQL tracking store is closed');
    await ready;
  };

  const findExperimentRow = async (experimentId: string) => {
    await open();
    const id = numericId(experimentId);
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
  const findRunRow = async (runId: string) => {
    await open();
    const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
    if (row === undefined) throw doesNotExist(`Run with id=${runId} not found`);
    return row;
  };
  const findActiveRun = async (runId: string) => {
    const row = await findRunRow(runId);
    assertRunActive(runInfoFromRow(row));
    return row;
  };
  const withExperimentTags = async (
    row: Awaited<ReturnType<typeof findExperimentRow>>,
  ): Promise<Experiment> => {
    const tags = await loadExperimentTags(db, [Number(row.experiment_id)]);
    return experimentFromRow(row, tags.get(String(row.experiment_id)) ?? []);
  };
  const nameTaken = (name: string, field: string) =>
    alreadyExists(`Experiment(name=${name}) already exists.`, { field });

  const store: TrackingStore = {
    specificationVersion: 'v1',
    capabilities: { atomicBatches: true, concurrentWriters: true, searchPushdown: true },

    async createExperiment(input: CreateExperimentInput) {
      await open();
      const name = validateExperimentName(input.name);
      const tags = (input.tags ?? []).map(validateExperimentTag);
      if (input.artifactLocation !== undefined) validateArtifactLocation(input.artifactLocation);
      const now = Date.now();
      try {
        return await writeTransaction(database, async (transaction) => {
          const values = {
            name,
            artifact_location: input.artifactLocation || null,
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

    async createRun(input: CreateRunInput) {
      const experiment = await findActiveExperiment(input.experimentId);
      const validTags = (input.tags ?? []).map(validateRunTag);
      const { runName, tags } = resolveRunName(input.runName, validTags);
      const runId = createRunId();
      await writeTransaction(database, async (transaction) => {
        await transaction
          .insertInto('runs')
          .values({
            run_uuid: runId,
            name: runName,
            source_type: 'UNKNOWN',
            source_name: '',
            entry_point_name: '',
            user_id: input.userId ?? '',
            status: 'RUNNING',
            start_time: input.startTime ?? Date.now(),
            end_time: null,
            source_version: '',
            lifecycle_stage: 'active',
            artifact_uri: `${experiment.artifact_location ?? artifactRoot}/${runId}/artifacts`,
            experiment_id: Number(experiment.experiment_id),
            deleted_time: null,
          })
          .execute();
        // resolveRunName already put the name into both the row and the tags.
        await writeRunTags(transaction, runId, tags, true);
      });
      return this.getRun(runId);
    },

    async getRun(runId) {
      const [run] = await loadRuns(db, [await findRunRow(runId)]);
      return run as Run;
    },

    async updateRun(input: UpdateRunInput) {
      await findActiveRun(input.runId);
      if (input.endTime !== undefined && (!Number.isInteger(input.endTime) || input.endTime < 0)) {
        throw invalidParameter(`Invalid end_time ${input.endTime}: it must be a non-negative integer`, {
          field: 'end_time',
        });
      }
      const runName =
        input.runName !== undefined && input.runName !== ''
          ? validateRunTag({ key: systemTags.runName, value: input.runName }).value
          : undefined;
      await writeTransaction(database, async (transaction) => {
        const changes: { status?: string; end_time?: number } = {};
        if (input.status !== undefined) changes.status = input.status;
        if (input.endTime !== undefined) changes.end_time = input.endTime;
        if (Object.keys(changes).length > 0) {
          await transaction.updateTable('runs').set(changes).where('run_uuid', '=', input.runId).execute();
        }
        if (runName !== undefined)
          await writeRunTags(transaction, input.runId, [{ key: systemTags.runName, value: runName }]);
      });
      return runInfoFromRow(await findRunRow(input.runId));
    },

    async deleteRun(runId) {
      await findRunRow(runId);
      await db
        .updateTable('runs')
        .set({ lifecycle_stage: 'deleted', deleted_time: Date.now() })
        .where('run_uuid', '=', runId)
        .execute();
    },

    async restoreRun(runId) {
      await findRunRow(runId);
      await db
        .updateTable('runs')
        .set({ lifecycle_stage: 'active', deleted_time: null })
        .where('run_uuid', '=', runId)
        .execute();
    },

    async purgeRun(runId) {
      const row = await findRunRow(runId);
      if (row.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Run ${runId} must be deleted before it is purged`, { field: 'run_id' });
      }
      await writeTransaction(database, async (transaction) => {
        const inputs = transaction
          .selectFrom('inputs')
          .select('input_uuid')
          .where('destination_id', '=', runId);
        await transaction.deleteFrom('input_tags').where('input_uuid', 'in', inputs).execute();
        await transaction.deleteFrom('inputs').where('destination_id', '=', runId).execute();
        await transaction.deleteFrom('inputs').where('source_id', '=', runId).execute();
        for (const table of ['metrics', 'latest_metrics', 'params', 'tags'] as const) {
          await transaction.deleteFrom(table).where('run_uuid', '=', runId).execute();
        }
        await transaction.deleteFrom('runs').where('run_uuid', '=', runId).execute();
      });
    },

    async searchRuns(input) {
      await open();
      return searchRunsInSql(database, input);
    },

    async logBatch(input: LogBatchInput) {
      await findActiveRun(input.runId);
      // Everything is checked before the first write, which is what makes the batch all-or-nothing.
      const batch = validateLogBatch({
        metrics: input.metrics ?? [],
        params: input.params ?? [],
        tags: input.tags ?? [],
      });
      await logBatchInSql(database, input.runId, batch);
    },

    async deleteTag(runId, key) {
      await findActiveRun(runId);
      const result = await db
        .deleteFrom('tags')
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw doesNotExist(`No tag with name: ${key} in run with id ${runId}`, { field: 'key' });
      }
    },

    async getMetricHistory(input: GetMetricHistoryInput) {
      await findRunRow(input.runId);
      const rows = await db
        .selectFrom('metrics')
        .selectAll()
        .where('run_uuid', '=', input.runId)
        .where('key', '=', input.metricKey)
        .execute();
      const points: Metric[] = rows.map((row) => ({
        key: row.key,
        value: metricValueFromRow(row.value, row.is_nan),
        timestamp: toNumber(row.timestamp),
        step: toNumber(row.step),
      }));
      return pageMetricHistory(points, { ...input, scope: `${input.runId}\u0000${input.metricKey}` });
    },

    async logInputs(input) {
      const run = await findActiveRun(input.runId);
      await writeTransaction(database, async (transaction) => {
        await lockRun(database, transaction, input.runId);
        await logInputsInSql(transaction, Number(run.experiment_id), input);
      });
    },

    async logOutputs(input) {
      await findActiveRun(input.runId);
      await writeTransaction(database, async (transaction) => {
        await lockRun(database, transaction, input.runId);
        await logOutputsInSql(transaction, input);
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => undefined);
      await database.close();
    },
  };
  return store;
}
