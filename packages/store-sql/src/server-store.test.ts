import { describeRegistryStore, describeTrackingStore } from '@cairn/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

const servers = [
  { name: 'PostgreSQL', variable: 'CAIRN_TEST_POSTGRES_URI', prefix: 'cairn_pg' },
  { name: 'MySQL/MariaDB', variable: 'CAIRN_TEST_MYSQL_URI', prefix: 'cairn_my' },
] as const;

for (const server of servers) {
  const adminUri = process.env[server.variable];
  if (adminUri === undefined || adminUri === '') {
    console.log(
      `SKIPPED: store-sql TrackingStore and RegistryStore conformance on ${server.name} — set ${server.variable} (eval "$(bash packages/store-sql/scripts/start-test-databases.sh)")`,
    );
    // Reason: no server was given; the SKIPPED line above says which variable to set (.ci/run sets both
    // and fails on any SKIPPED line).
    describe.skip(`TrackingStore conformance: sql (${server.name})`, () => undefined);
    continue;
  }
  describe(`store-sql on ${server.name}`, () => {
    let database: ServerDatabase | undefined;
    beforeAll(async () => {
      database = await createServerDatabase(adminUri, server.prefix);
    });
    afterAll(async () => {
      await database?.drop();
    });
    // One database per file, emptied before each test: creating 70 tables per test would take minutes.
    describeTrackingStore(`sql (${server.name})`, async () => {
      const current = database as ServerDatabase;
      await current.reset();
      return createSqlTrackingStore({ uri: current.uri, artifactRoot: 'file:///tmp/cairn-sql-artifacts' });
    });

    describeRegistryStore(`sql (${server.name})`, async () => {
      const current = database as ServerDatabase;
      await current.reset();
      return createSqlRegistryStore({ uri: current.uri });
    });

    it('answers RESOURCE_DOES_NOT_EXIST for ids past the INTEGER column, such as 18-digit file-store ids', async () => {
      await (database as ServerDatabase).reset();
      const store = createSqlTrackingStore({ uri: (database as ServerDatabase).uri });
      try {
        await expect(store.getExperiment('123456789012345678')).rejects.toMatchObject({
          code: 'RESOURCE_DOES_NOT_EXIST',
        });
        expect((await store.searchRuns({ experimentIds: ['123456789012345678'] })).items).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('lets several processes open one empty database at once: one creates the schema, all use it', async () => {
      const fresh = await createServerDatabase(adminUri, `${server.prefix}_race`);
      try {
        const stores = Array.from({ length: 4 }, () => createSqlTrackingStore({ uri: fresh.uri }));
        const defaults = await Promise.all(stores.map((store) => store.getExperiment('0')));
        expect(defaults.map((experiment) => experiment.name)).toEqual([
          'Default',
          'Default',
          'Default',
          'Default',
        ]);
        await Promise.all(stores.map((store) => store.close()));
      } finally {
        await fresh.drop();
      }
    });
  });
}
