import {
  activeModelVersionStages,
  alreadyExists,
  CairnError,
  type CreateModelVersionInput,
  canonicalStage,
  deletedModelVersionStage,
  doesNotExist,
  invalidParameter,
  latestAlias,
  type ModelVersion,
  modelVersionStages,
  type RegisteredModel,
  type RegistryStore,
  validateAliasName,
  validateModelName,
  validateModelVersionNumber,
  validateNewAliasName,
  validateRegistryTag,
} from '@cairn/core';
import { type OpenSqlDatabaseOptions, openSqlDatabase, type SqlDatabase } from './open-sql-database.js';
import { latestVersionKeys, loadModelVersions, loadRegisteredModels } from './sql-registry-rows.js';
import {
  registryWorkspace,
  searchModelVersionKeys,
  searchRegisteredModelNames,
} from './sql-registry-search.js';
import { type SqlTransaction, writeTransaction } from './sql-transaction.js';
import { isUniqueViolation } from './sql-values.js';
import { ensureDatabaseSchema } from './upgrade-database.js';
import { withCairnErrors } from './with-cairn-errors.js';

/** Options of {@link createSqlRegistryStore}. */
export interface SqlRegistryStoreOptions extends OpenSqlDatabaseOptions {
  /** `sqlite:///path.db`, `postgresql://user:password@host/db` or `mysql://user:password@host/db`. */
  uri: string;
  /** Create MLflow's schema in an empty database; default true. When false an empty database is an error. */
  createSchema?: boolean;
}

/** How often a version number taken by a concurrent writer is retried, as MLflow retries. */
const createVersionAttempts = 5;

/** The values a soft-deleted version keeps in place of its source, run and link (MLflow's redaction). */
const redacted = {
  source: 'REDACTED-SOURCE-PATH',
  run_id: 'REDACTED-RUN-ID',
  run_link: 'REDACTED-RUN-LINK',
} as const;

/**
 * The widths of MLflow's registry columns. MLflow's validation lets longer values through, and PostgreSQL
 * and MySQL then fail with a driver error; Cairn refuses them up front, naming the field and the limit, on
 * every dialect, so a database keeps to the schema whichever engine it is on.
 */
const columnLimits = {
  name: 256,
  new_name: 256,
  description: 5000,
  source: 500,
  run_id: 32,
  run_link: 500,
  storage_location: 500,
  /** `registered_model_tags.value`; version tag values are TEXT. */
  value: 5000,
} as const;

function checkWidth(field: keyof typeof columnLimits, value: string | undefined): void {
  const limit = columnLimits[field];
  if (value !== undefined && value.length > limit) {
    throw invalidParameter(`'${field}' had length ${value.length}, which exceeded length limit of ${limit}`, {
      field,
      limit,
    });
  }
}

const modelNotFound = (name: string) =>
  doesNotExist(`Registered Model with name=${name} not found`, { field: 'name' });
const versionNotFound = (name: string, version: number) =>
  doesNotExist(`Model Version (name=${name}, version=${version}) not found`, { field: 'version' });

/**
 * A model registry over SQL in MLflow 3.18.0's schema (`registered_models`, `model_versions` and their
 * tag and alias tables, workspace `default`): MLflow's `MlflowClient` reads what it writes and the other
 * way round. Version numbers are never reused (deleted versions stay as `Deleted_Internal`); searches run
 * in SQL with bound parameters and keyset page tokens. SQLite, PostgreSQL and MySQL/MariaDB.
 */
export function createSqlRegistryStore(options: SqlRegistryStoreOptions): RegistryStore {
  const database: SqlDatabase = openSqlDatabase(options.uri, options);
  const { db } = database;
  let closed = false;
  const ready = ensureDatabaseSchema(database, { create: options.createSchema ?? true });
  // A failure surfaces on the first call; this keeps it from being reported as unhandled before then.
  ready.catch(() => undefined);
  const open = async () => {
    if (closed) throw new CairnError('INVALID_STATE', 'The SQL registry store is closed');
    await ready;
  };

  // Millisecond timestamps as MLflow writes them, never repeating or going back within this store, so
  // "last updated" orders stay stable when two writes land in one millisecond.
  let clock = 0;
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return clock;
  };

  /** Checks a model exists (locking its row until the transaction ends on PostgreSQL and MySQL). */
  const lockModel = async (handle: SqlTransaction, name: string, lock: boolean): Promise<void> => {
    let query = handle
      .selectFrom('registered_models')
      .select('name')
      .where('workspace', '=', registryWorkspace)
      .where('name', '=', name);
    if (lock && database.dialect !== 'sqlite') query = query.forUpdate();
    if ((await query.executeTakeFirst()) === undefined) throw modelNotFound(name);
  };

  const findModel = async (name: string): Promise<void> => {
    validateModelName(name);
    await open();
    await lockModel(db, name, false);
  };

  /** The live version `version` of `name`: its number, or RESOURCE_DOES_NOT_EXIST. */
  const findVersion = async (handle: SqlTransaction, name: string, version: string): Promise<number> => {
    validateModelName(name);
    const number = validateModelVersionNumber(version);
    await open();
    const row = await handle
      .selectFrom('model_versions')
      .select('current_stage')
      .where('workspace', '=', registryWorkspace)
      .where('name', '=', name)
      .where('version', '=', number)
      .executeTakeFirst();
    if (row === undefined || row.current_stage === deletedModelVersionStage)
      throw versionNotFound(name, number);
    return number;
  };

  const readModel = async (name: string): Promise<RegisteredModel> => {
    const [model] = await loadRegisteredModels(db, [name]);
    if (model === undefined) throw modelNotFound(name);
    return model;
  };
  const readVersion = async (name: string, version: number): Promise<ModelVersion> => {
    const [found] = await loadModelVersions(db, [{ name, version }]);
    if (found === undefined) throw versionNotFound(name, version);
    return found;
  };

  const touchModel = (handle: SqlTransaction, name: string, time: number) =>
    handle
      .updateTable('registered_models')
      .set({ last_updated_time: time })
      .where('workspace', '=', registryWorkspace)
      .where('name', '=', name)
      .execute();

  const store: RegistryStore = {
    specificationVersion: 'v1',
    capabilities: { searchPushdown: true, modelIdFromSource: true },

    async createRegisteredModel(input) {
      const name = validateModelName(input.name);
      const tags = new Map((input.tags ?? []).map(validateRegistryTag).map((tag) => [tag.key, tag.value]));
      checkWidth('name', name);
      checkWidth('description', input.description);
      for (const value of tags.values()) checkWidth('value', value);
      await open();
      const time = now();
      try {
        await writeTransaction(database, async (transaction) => {
          await transaction
            .insertInto('registered_models')
            .values({
              name,
              creation_time: time,
              last_updated_time: time,
              description: input.description ?? null,
              workspace: registryWorkspace,
            })
            .execute();
          if (tags.size > 0) {
            await transaction
              .insertInto('registered_model_tags')
              .values([...tags].map(([key, value]) => ({ key, value, name, workspace: registryWorkspace })))
              .execute();
          }
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw alreadyExists(`Registered Model (name=${name}) already exists.`, { field: 'name' });
        }
        throw error;
      }
      return readModel(name);
    },

    async getRegisteredModel(name) {
      await findModel(name);
      return readModel(name);
    },

    async renameRegisteredModel(name, newName) {
      const target = validateModelName(newName, 'new_name');
      checkWidth('new_name', target);
      validateModelName(name);
      await open();
      const time = now();
      try {
        await writeTransaction(database, async (transaction) => {
          await lockModel(transaction, name, true);
          const taken = await transaction
            .selectFrom('registered_models')
            .select('name')
            .where('workspace', '=', registryWorkspace)
            .where('name', '=', target)
            .executeTakeFirst();
          if (taken !== undefined) {
            throw alreadyExists(`Registered Model (name=${target}) already exists.`, { field: 'new_name' });
          }
          await transaction
            .updateTable('registered_models')
            .set({ name: target, last_updated_time: time })
            .where('workspace', '=', registryWorkspace)
            .where('name', '=', name)
            .execute();
          // PostgreSQL and MySQL cascade the new name through the foreign keys; SQLite (foreign keys off,
          // as MLflow leaves them) needs the children renamed here. Where the cascade ran, these match nothing.
          for (const table of [
            'model_versions',
            'model_version_tags',
            'registered_model_tags',
            'registered_model_aliases',
          ] as const) {
            await transaction
              .updateTable(table)
              .set({ name: target })
              .where('workspace', '=', registryWorkspace)
              .where('name', '=', name)
              .execute();
          }
          await transaction
            .updateTable('model_versions')
            .set({ last_updated_time: time })
            .where('workspace', '=', registryWorkspace)
            .where('name', '=', target)
            .execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw alreadyExists(`Registered Model (name=${target}) already exists.`, { field: 'new_name' });
        }
        throw error;
      }
      return readModel(target);
    },

    async updateRegisteredModel(name, description) {
      checkWidth('description', description);
      await findModel(name);
      await db
        .updateTable('registered_models')
        .set({ description: description ?? null, last_updated_time: now() })
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .execute();
      return readModel(name);
    },

    async deleteRegisteredModel(name) {
      await findModel(name);
      await writeTransaction(database, async (transaction) => {
        // Children first, so foreign keys (where enforced) never block the delete.
        for (const table of [
          'model_version_tags',
          'registered_model_aliases',
          'model_versions',
          'registered_model_tags',
          'registered_models',
        ] as const) {
          await transaction
            .deleteFrom(table)
            .where('workspace', '=', registryWorkspace)
            .where('name', '=', name)
            .execute();
        }
      });
    },

    async searchRegisteredModels(input) {
      await open();
      const page = await searchRegisteredModelNames(database, input);
      const items = await loadRegisteredModels(db, page.names);
      return page.nextPageToken === undefined ? { items } : { items, nextPageToken: page.nextPageToken };
    },

    async getLatestVersions(name, stages) {
      const wanted =
        stages === undefined || stages.length === 0 ? [...modelVersionStages] : stages.map(canonicalStage);
      await findModel(name);
      return loadModelVersions(db, await latestVersionKeys(db, [name], wanted));
    },

    async setRegisteredModelTag(name, tag) {
      const valid = validateRegistryTag(tag);
      checkWidth('value', valid.value);
      await findModel(name);
      await writeTransaction(database, async (transaction) => {
        await transaction
          .deleteFrom('registered_model_tags')
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('key', '=', valid.key)
          .execute();
        await transaction
          .insertInto('registered_model_tags')
          .values({ ...valid, name, workspace: registryWorkspace })
          .execute();
      });
    },

    async deleteRegisteredModelTag(name, key) {
      await findModel(name);
      await db
        .deleteFrom('registered_model_tags')
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('key', '=', key)
        .execute();
    },

    async createModelVersion(input: CreateModelVersionInput) {
      const name = validateModelName(input.name);
      const tags = new Map((input.tags ?? []).map(validateRegistryTag).map((tag) => [tag.key, tag.value]));
      if (typeof input.source !== 'string') {
        throw invalidParameter("Missing value for required parameter 'source'.", { field: 'source' });
      }
      const source = input.source;
      checkWidth('source', source);
      checkWidth('run_id', input.runId);
      checkWidth('run_link', input.runLink);
      checkWidth('description', input.description);
      checkWidth('storage_location', input.storageLocation);
      await open();
      for (let attempt = 1; ; attempt += 1) {
        try {
          const version = await writeTransaction(database, async (transaction) => {
            await lockModel(transaction, name, true);
            const time = now();
            // Deleted versions stay in the table, so the maximum is the highest number ever handed out.
            const max = await transaction
              .selectFrom('model_versions')
              .select((eb) => eb.fn.max('version').as('version'))
              .where('workspace', '=', registryWorkspace)
              .where('name', '=', name)
              .executeTakeFirst();
            const number = (max?.version === null || max === undefined ? 0 : Number(max.version)) + 1;
            await transaction
              .insertInto('model_versions')
              .values({
                name,
                version: number,
                creation_time: time,
                last_updated_time: time,
                description: input.description ?? null,
                user_id: null,
                current_stage: 'None',
                source,
                run_id: input.runId ?? null,
                status: 'READY',
                status_message: null,
                run_link: input.runLink ?? null,
                storage_location: input.storageLocation ?? source,
                workspace: registryWorkspace,
              })
              .execute();
            if (tags.size > 0) {
              await transaction
                .insertInto('model_version_tags')
                .values(
                  [...tags].map(([key, value]) => ({
                    key,
                    value,
                    name,
                    version: number,
                    workspace: registryWorkspace,
                  })),
                )
                .execute();
            }
            await touchModel(transaction, name, time);
            return number;
          });
          return readVersion(name, version);
        } catch (error) {
          // Two writers took the same number at once (possible without row locks): the loser retries.
          if (attempt >= createVersionAttempts || !isUniqueViolation(error)) throw error;
        }
      }
    },

    async getModelVersion(name, version) {
      return readVersion(name, await findVersion(db, name, version));
    },

    async updateModelVersion(name, version, description) {
      checkWidth('description', description);
      const number = await findVersion(db, name, version);
      await db
        .updateTable('model_versions')
        .set({ description: description ?? null, last_updated_time: now() })
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('version', '=', number)
        .execute();
      return readVersion(name, number);
    },

    async deleteModelVersion(name, version) {
      const number = await findVersion(db, name, version);
      await writeTransaction(database, async (transaction) => {
        const time = now();
        await transaction
          .deleteFrom('registered_model_aliases')
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('version', '=', number)
          .execute();
        // Kept, redacted, so the number is never handed out again; its tags stay, as MLflow leaves them.
        await transaction
          .updateTable('model_versions')
          .set({
            current_stage: deletedModelVersionStage,
            last_updated_time: time,
            description: null,
            user_id: null,
            status_message: null,
            ...redacted,
          })
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('version', '=', number)
          .execute();
        await touchModel(transaction, name, time);
      });
    },

    async transitionModelVersionStage(name, version, stage, archiveExistingVersions) {
      const target = canonicalStage(stage);
      if (archiveExistingVersions && !activeModelVersionStages.includes(target)) {
        throw invalidParameter(
          `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${activeModelVersionStages.join(', ')}`,
          { field: 'archive_existing_versions' },
        );
      }
      const number = await findVersion(db, name, version);
      await writeTransaction(database, async (transaction) => {
        const time = now();
        if (archiveExistingVersions) {
          await transaction
            .updateTable('model_versions')
            .set({ current_stage: 'Archived', last_updated_time: time })
            .where('workspace', '=', registryWorkspace)
            .where('name', '=', name)
            .where('version', '<>', number)
            .where('current_stage', '=', target)
            .execute();
        }
        await transaction
          .updateTable('model_versions')
          .set({ current_stage: target, last_updated_time: time })
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('version', '=', number)
          .execute();
        await touchModel(transaction, name, time);
      });
      return readVersion(name, number);
    },

    async searchModelVersions(input) {
      await open();
      const page = await searchModelVersionKeys(database, input);
      const items = await loadModelVersions(db, page.keys);
      return page.nextPageToken === undefined ? { items } : { items, nextPageToken: page.nextPageToken };
    },

    async getModelVersionDownloadUri(name, version) {
      const number = await findVersion(db, name, version);
      const row = await db
        .selectFrom('model_versions')
        .select(['storage_location', 'source'])
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('version', '=', number)
        .executeTakeFirstOrThrow();
      return row.storage_location ?? row.source ?? '';
    },

    async setModelVersionTag(name, version, tag) {
      const valid = validateRegistryTag(tag);
      const number = await findVersion(db, name, version);
      await writeTransaction(database, async (transaction) => {
        await transaction
          .deleteFrom('model_version_tags')
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('version', '=', number)
          .where('key', '=', valid.key)
          .execute();
        await transaction
          .insertInto('model_version_tags')
          .values({ ...valid, name, version: number, workspace: registryWorkspace })
          .execute();
      });
    },

    async deleteModelVersionTag(name, version, key) {
      const number = await findVersion(db, name, version);
      await db
        .deleteFrom('model_version_tags')
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('version', '=', number)
        .where('key', '=', key)
        .execute();
    },

    async setRegisteredModelAlias(name, alias, version) {
      const valid = validateNewAliasName(alias);
      const number = await findVersion(db, name, version);
      await writeTransaction(database, async (transaction) => {
        await transaction
          .deleteFrom('registered_model_aliases')
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('alias', '=', valid)
          .execute();
        await transaction
          .insertInto('registered_model_aliases')
          .values({ alias: valid, version: number, name, workspace: registryWorkspace })
          .execute();
      });
    },

    async deleteRegisteredModelAlias(name, alias) {
      const valid = validateAliasName(alias);
      await findModel(name);
      await db
        .deleteFrom('registered_model_aliases')
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('alias', '=', valid)
        .execute();
    },

    async getModelVersionByAlias(name, alias) {
      const valid = validateAliasName(alias);
      await findModel(name);
      if (valid.toLowerCase() === latestAlias) {
        const newest = await db
          .selectFrom('model_versions')
          .select((eb) => eb.fn.max('version').as('version'))
          .where('workspace', '=', registryWorkspace)
          .where('name', '=', name)
          .where('current_stage', '<>', deletedModelVersionStage)
          .executeTakeFirst();
        if (newest?.version === null || newest === undefined) {
          throw doesNotExist(`Latest version not found for model ${name}.`, { field: 'name' });
        }
        return readVersion(name, Number(newest.version));
      }
      const row = await db
        .selectFrom('registered_model_aliases')
        .select('version')
        .where('workspace', '=', registryWorkspace)
        .where('name', '=', name)
        .where('alias', '=', valid)
        .executeTakeFirst();
      if (row === undefined) {
        throw invalidParameter(`Registered model alias ${valid} not found.`, { field: 'alias' });
      }
      return readVersion(name, Number(row.version));
    },

    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => undefined);
      await database.close();
    },
  };
  return withCairnErrors(store, database.displayUri);
}
