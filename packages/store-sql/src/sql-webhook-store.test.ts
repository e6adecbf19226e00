import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWebhookStore } from '@cairn/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFernet } from './fernet.js';
import { openSqlDatabase } from './open-sql-database.js';
import { createSqlWebhookStore } from './sql-webhook-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

const root = mkdtempSync(join(tmpdir(), 'cairn-sql-webhooks-'));
let count = 0;

// A Fernet key as `cryptography`'s Fernet.generate_key() writes one (url-safe base64 of 32 bytes).
const key = Buffer.alloc(32, 7).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

describeWebhookStore('sql (SQLite)', () => {
  count += 1;
  return createSqlWebhookStore({ uri: `sqlite:///${join(root, `webhooks-${count}.db`)}` });
});

describe('SQL webhook secrets', () => {
  it('stores the secret Fernet-encrypted under MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY and reads it back', async () => {
    const uri = `sqlite:///${join(root, 'secret.db')}`;
    const store = createSqlWebhookStore({ uri, secretEncryptionKey: key });
    try {
      const hook = await store.createWebhook({
        name: 'signed',
        url: 'https://hooks.example.com/x',
        events: [{ entity: 'model_version', action: 'created' }],
        secret: 'topsecret',
      });
      expect((await store.getWebhook(hook.webhook_id)).secret).toBe('topsecret');
      const database = openSqlDatabase(uri);
      try {
        const row = await sql<{ secret: string }>`SELECT secret FROM webhooks`.execute(database.db);
        const stored = row.rows[0]?.secret as string;
        expect(stored).not.toContain('topsecret');
        expect(stored.startsWith('gAAAAA')).toBe(true);
        expect(createFernet(key).decrypt(stored)).toBe('topsecret');
      } finally {
        await database.close();
      }
    } finally {
      await store.close();
    }
  });

  it('refuses a key that is not 32 url-safe base64 bytes, naming the variable', () => {
    expect(() => createSqlWebhookStore({ uri: 'sqlite:///unused.db', secretEncryptionKey: 'short' })).toThrow(
      /MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY/,
    );
  });
});

const servers = [
  { name: 'PostgreSQL', variable: 'CAIRN_TEST_POSTGRES_URI', prefix: 'cairn_pg_hooks' },
  { name: 'MySQL/MariaDB', variable: 'CAIRN_TEST_MYSQL_URI', prefix: 'cairn_my_hooks' },
] as const;

for (const server of servers) {
  const adminUri = process.env[server.variable];
  if (adminUri === undefined || adminUri === '') {
    console.log(`SKIPPED: store-sql WebhookStore conformance on ${server.name} — set ${server.variable}`);
    // Reason: no server was given; the SKIPPED line above says which variable to set.
    describe.skip(`WebhookStore conformance: sql (${server.name})`, () => undefined);
    continue;
  }
  describe(`store-sql webhooks on ${server.name}`, () => {
    let database: ServerDatabase | undefined;
    beforeAll(async () => {
      database = await createServerDatabase(adminUri, server.prefix);
    });
    afterAll(async () => {
      await database?.drop();
    });
    describeWebhookStore(`sql (${server.name})`, async () => {
      const current = database as ServerDatabase;
      await current.reset();
      return createSqlWebhookStore({ uri: current.uri, secretEncryptionKey: key });
    });
  });
}
