import {
  CairnError,
  doesNotExist,
  type Page,
  type PageRequest,
  validateCreateWebhookInput,
  validateUpdateWebhookInput,
  type Webhook,
  type WebhookEvent,
  type WebhookStore,
  webhookActionSchema,
  webhookEntitySchema,
  webhookNextPageToken,
  webhookNotFoundMessage,
  webhookPageWindow,
  webhookStatusSchema,
} from '@cairn/core';
import { createFernet, type Fernet } from './fernet.js';
import { type OpenSqlDatabaseOptions, openSqlDatabase, type SqlDatabase } from './open-sql-database.js';
import { registryWorkspace } from './sql-registry-search.js';
import { type SqlTransaction, writeTransaction } from './sql-transaction.js';
import { ensureDatabaseSchema } from './upgrade-database.js';
import { withCairnErrors } from './with-cairn-errors.js';

/** Options of {@link createSqlWebhookStore}. */
export interface SqlWebhookStoreOptions extends OpenSqlDatabaseOptions {
  /** `sqlite:///path.db`, `postgresql://user:password@host/db` or `mysql://user:password@host/db`. */
  uri: string;
  /** Create MLflow's schema in an empty database; default true. */
  createSchema?: boolean;
  /**
   * A Fernet key (MLflow's `MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY`): secrets are stored encrypted with it, as
   * MLflow stores them. Unset: secrets are stored as given (MLflow would draw a random key per process,
   * which makes every stored secret unreadable after a restart or from another worker).
   */
  secretEncryptionKey?: string;
}

type WebhookRow = {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: string;
  secret: string | null;
  creation_timestamp: number | string | null;
  last_updated_timestamp: number | string | null;
};

const notFound = (webhookId: string) =>
  doesNotExist(webhookNotFoundMessage(webhookId), { field: 'webhook_id' });

/**
 * Registry webhooks over SQL in MLflow 3.18.0's `webhooks` and `webhook_events` tables (workspace
 * `default`, deletes kept as `deleted_timestamp`), so MLflow's server and Cairn's share them. SQLite,
 * PostgreSQL and MySQL/MariaDB.
 */
export function createSqlWebhookStore(options: SqlWebhookStoreOptions): WebhookStore {
  const fernet: Fernet | undefined =
    options.secretEncryptionKey === undefined || options.secretEncryptionKey === ''
      ? undefined
      : createFernet(options.secretEncryptionKey);
  const database: SqlDatabase = openSqlDatabase(options.uri, options);
  const { db } = database;
  let closed = false;
  const ready = ensureDatabaseSchema(database, { create: options.createSchema ?? true });
  ready.catch(() => undefined);
  const open = async () => {
    if (closed) throw new CairnError('INVALID_STATE', 'The SQL webhook store is closed');
    await ready;
  };
  let clock = 0;
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return clock;
  };
  const sealSecret = (secret: string | undefined) =>
    secret === undefined ? null : fernet === undefined ? secret : fernet.encrypt(secret);

  const toWebhooks = async (handle: SqlTransaction, rows: WebhookRow[]): Promise<Webhook[]> => {
    if (rows.length === 0) return [];
    const events = await handle
      .selectFrom('webhook_events')
      .select(['webhook_id', 'entity', 'action'])
      .where(
        'webhook_id',
        'in',
        rows.map((row) => row.webhook_id),
      )
      .execute();
    const byId = new Map<string, WebhookEvent[]>();
    for (const event of events) {
      const entity = webhookEntitySchema.safeParse(event.entity);
      const action = webhookActionSchema.safeParse(event.action);
      // An event a newer MLflow added is kept in the table but not shown to this version.
      if (!entity.success || !action.success) continue;
      const list = byId.get(event.webhook_id) ?? [];
      list.push({ entity: entity.data, action: action.data });
      byId.set(event.webhook_id, list);
    }
    return rows.map((row) => ({
      webhook_id: row.webhook_id,
      name: row.name,
      url: row.url,
      events: (byId.get(row.webhook_id) ?? []).sort((a, b) =>
        `${a.entity}.${a.action}`.localeCompare(`${b.entity}.${b.action}`),
      ),
      status: webhookStatusSchema.catch('DISABLED').parse(row.status),
      creation_timestamp: Number(row.creation_timestamp ?? 0),
      last_updated_timestamp: Number(row.last_updated_timestamp ?? row.creation_timestamp ?? 0),
      ...(row.description ? { description: row.description } : {}),
      ...(row.secret ? { secret: fernet === undefined ? row.secret : fernet.decrypt(row.secret) } : {}),
    }));
  };

  const columns = [
    'webhooks.webhook_id',
    'webhooks.name',
    'webhooks.description',
    'webhooks.url',
    'webhooks.status',
    'webhooks.secret',
    'webhooks.creation_timestamp',
    'webhooks.last_updated_timestamp',
  ] as const;

  const liveRow = (handle: SqlTransaction, webhookId: string) =>
    handle
      .selectFrom('webhooks')
      .select(columns)
      .where('workspace', '=', registryWorkspace)
      .where('webhook_id', '=', webhookId)
      .where('deleted_timestamp', 'is', null)
      .executeTakeFirst();

  const read = async (handle: SqlTransaction, webhookId: string): Promise<Webhook> => {
    const row = await liveRow(handle, webhookId);
    if (row === undefined) throw notFound(webhookId);
    const [webhook] = await toWebhooks(handle, [row]);
    return webhook as Webhook;
  };

  const insertEvents = (handle: SqlTransaction, webhookId: string, events: readonly WebhookEvent[]) =>
    handle
      .insertInto('webhook_events')
      .values(events.map((event) => ({ webhook_id: webhookId, entity: event.entity, action: event.action })))
      .execute();

  const list = async (request: PageRequest, event: WebhookEvent | undefined): Promise<Page<Webhook>> => {
    const scope = event === undefined ? '' : `:${event.entity}.${event.action}`;
    const window = webhookPageWindow(request, scope);
    await open();
    let query = db
      .selectFrom('webhooks')
      .select(columns)
      .where('webhooks.workspace', '=', registryWorkspace)
      .where('webhooks.deleted_timestamp', 'is', null);
    if (event !== undefined) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('webhook_events')
            .select('webhook_events.webhook_id')
            .whereRef('webhook_events.webhook_id', '=', 'webhooks.webhook_id')
            .where('webhook_events.entity', '=', event.entity)
            .where('webhook_events.action', '=', event.action),
        ),
      );
    }
    const rows = await query
      .orderBy('webhooks.creation_timestamp', 'desc')
      .orderBy('webhooks.webhook_id', 'desc')
      .limit(window.limit + 1)
      .offset(window.offset)
      .execute();
    const nextPageToken = webhookNextPageToken(window, rows.length, scope);
    return {
      items: await toWebhooks(db, rows.slice(0, window.limit)),
      ...(nextPageToken === undefined ? {} : { nextPageToken }),
    };
  };

  const store: WebhookStore = {
    specificationVersion: 'v1',
    async createWebhook(input) {
      const valid = validateCreateWebhookInput(input);
      await open();
      const webhookId = globalThis.crypto.randomUUID();
      const time = now();
      await writeTransaction(database, async (transaction) => {
        await transaction
          .insertInto('webhooks')
          .values({
            webhook_id: webhookId,
            name: valid.name,
            description: valid.description ?? null,
            url: valid.url,
            status: valid.status,
            secret: sealSecret(valid.secret),
            creation_timestamp: time,
            last_updated_timestamp: time,
            deleted_timestamp: null,
            workspace: registryWorkspace,
          })
          .execute();
        await insertEvents(transaction, webhookId, valid.events);
      });
      return read(db, webhookId);
    },
    async getWebhook(webhookId) {
      await open();
      return read(db, webhookId);
    },
    listWebhooks: (request) => list(request, undefined),
    listWebhooksByEvent: (event, request) => list(request, event),
    async updateWebhook(webhookId, input) {
      const valid = validateUpdateWebhookInput(input);
      await open();
      await writeTransaction(database, async (transaction) => {
        if ((await liveRow(transaction, webhookId)) === undefined) throw notFound(webhookId);
        await transaction
          .updateTable('webhooks')
          .set({
            last_updated_timestamp: now(),
            ...(valid.name === undefined ? {} : { name: valid.name }),
            ...(valid.url === undefined ? {} : { url: valid.url }),
            ...(valid.description === undefined ? {} : { description: valid.description || null }),
            ...(valid.secret === undefined ? {} : { secret: sealSecret(valid.secret || undefined) }),
            ...(valid.status === undefined ? {} : { status: valid.status }),
          })
          .where('webhook_id', '=', webhookId)
          .execute();
        if (valid.events !== undefined) {
          await transaction.deleteFrom('webhook_events').where('webhook_id', '=', webhookId).execute();
          await insertEvents(transaction, webhookId, valid.events);
        }
      });
      return read(db, webhookId);
    },
    async deleteWebhook(webhookId) {
      await open();
      await writeTransaction(database, async (transaction) => {
        if ((await liveRow(transaction, webhookId)) === undefined) throw notFound(webhookId);
        const time = now();
        await transaction
          .updateTable('webhooks')
          .set({ deleted_timestamp: time, last_updated_timestamp: time })
          .where('webhook_id', '=', webhookId)
          .execute();
      });
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
