import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryStore } from '@cairn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

// What only the SQL registry has to get right beyond the conformance suite: MLflow's column widths, and
// version numbers under concurrent writers, on each dialect a server is given for.
const root = mkdtempSync(join(tmpdir(), 'cairn-sql-registry-extra-'));
const targets = [
  { name: 'SQLite', variable: undefined, prefix: 'sqlite' },
  { name: 'PostgreSQL', variable: 'CAIRN_TEST_POSTGRES_URI', prefix: 'cairn_pg_reg' },
  { name: 'MySQL/MariaDB', variable: 'CAIRN_TEST_MYSQL_URI', prefix: 'cairn_my_reg' },
] as const;

for (const target of targets) {
  const adminUri = target.variable === undefined ? undefined : process.env[target.variable];
  if (target.variable !== undefined && (adminUri === undefined || adminUri === '')) {
    console.log(
      `SKIPPED: store-sql registry limits and concurrency on ${target.name} — set ${target.variable}`,
    );
    continue;
  }
  describe(`SQL registry on ${target.name}`, () => {
    let server: ServerDatabase | undefined;
    let uri = `sqlite:///${join(root, 'registry.db')}`;
    const opened: RegistryStore[] = [];
    const open = () => {
      const store = createSqlRegistryStore({ uri });
      opened.push(store);
      return store;
    };
    beforeAll(async () => {
      if (adminUri !== undefined) {
        server = await createServerDatabase(adminUri, target.prefix);
        uri = server.uri;
      }
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    afterAll(async () => {
      await server?.drop();
    });

    it('refuses values wider than MLflow’s columns, naming the field and limit, and stores nothing', async () => {
      const store = open();
      const name = `wide-${Date.now()}`;
      await store.createRegisteredModel({ name });
      await store.createModelVersion({ name, source: 's3://bucket/1' });
      const cases: [string, number, () => Promise<unknown>][] = [
        ['name', 256, () => store.createRegisteredModel({ name: 'n'.repeat(257) })],
        ['new_name', 256, () => store.renameRegisteredModel(name, 'n'.repeat(257))],
        ['description', 5000, () => store.updateRegisteredModel(name, 'd'.repeat(5001))],
        ['value', 5000, () => store.setRegisteredModelTag(name, { key: 'k', value: 'v'.repeat(5001) })],
        ['source', 500, () => store.createModelVersion({ name, source: `s3://${'s'.repeat(500)}` })],
        ['run_id', 32, () => store.createModelVersion({ name, source: 's3://b/2', runId: 'r'.repeat(33) })],
        [
          'run_link',
          500,
          () => store.createModelVersion({ name, source: 's3://b/2', runLink: 'l'.repeat(501) }),
        ],
        ['description', 5000, () => store.updateModelVersion(name, '1', 'd'.repeat(5001))],
      ];
      for (const [field, limit, call] of cases) {
        await expect(call(), field).rejects.toMatchObject({
          code: 'INVALID_PARAMETER_VALUE',
          details: { field, limit },
        });
      }
      const model = await store.getRegisteredModel(name);
      expect(model).toMatchObject({ name, tags: [] });
      expect(model.description ?? '').toBe('');
      expect(model.latest_versions.map((version) => version.version)).toEqual(['1']);
      expect((await store.getModelVersion(name, '1')).description ?? '').toBe('');
      // A version tag value is TEXT: as long as MLflow's own limit allows.
      await store.setModelVersionTag(name, '1', { key: 'long', value: 'x'.repeat(20_000) });
      expect((await store.getModelVersion(name, '1')).tags[0]?.value.length).toBe(20_000);
    });

    it('numbers versions created at once by two stores 1..n with none lost or repeated', async () => {
      const first = open();
      const second = open();
      const name = `race-${Date.now()}`;
      await first.createRegisteredModel({ name });
      const created = await Promise.all(
        Array.from({ length: 16 }, (_, index) =>
          (index % 2 === 0 ? first : second).createModelVersion({ name, source: `s3://bucket/${index}` }),
        ),
      );
      const numbers = created.map((version) => Number(version.version)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
      const sources = new Set(created.map((version) => version.source));
      expect(sources.size).toBe(16);
      const page = await first.searchModelVersions({ filter: `name = '${name}'`, maxResults: 100 });
      expect(page.items).toHaveLength(16);
    });

    it('opens beside a tracking store on an empty database: one creates the schema, both use it', async () => {
      // As a server opens them: both at once, each with its own connections.
      let fresh: ServerDatabase | undefined;
      let freshUri = `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sql-registry-pair-')), 'pair.db')}`;
      if (adminUri !== undefined) {
        fresh = await createServerDatabase(adminUri, `${target.prefix}_pair`);
        freshUri = fresh.uri;
      }
      const tracking = createSqlTrackingStore({
        uri: freshUri,
        artifactRoot: 'file:///tmp/cairn-sql-artifacts',
      });
      const registry = createSqlRegistryStore({ uri: freshUri });
      try {
        const [experiment, model] = await Promise.all([
          tracking.getExperiment('0'),
          registry.createRegisteredModel({ name: 'pair' }),
        ]);
        expect(experiment.name).toBe('Default');
        expect(model.name).toBe('pair');
        const run = await tracking.createRun({ experimentId: '0' });
        const version = await registry.createModelVersion({
          name: 'pair',
          source: `runs:/${run.info.run_id}/model`,
          runId: run.info.run_id,
        });
        expect(version).toMatchObject({ version: '1', run_id: run.info.run_id });
      } finally {
        await Promise.all([tracking.close(), registry.close()]);
        await fresh?.drop();
      }
    });

    it('keeps quotes and SQL in names and filter values as data', async () => {
      const store = open();
      const name = `q'; DROP TABLE registered_models; -- ${Date.now()}`;
      await store.createRegisteredModel({ name, tags: [{ key: 'k', value: "it's" }] });
      const found = await store.searchRegisteredModels({ filter: "name LIKE 'q''; DROP%'" });
      expect(found.items.map((model) => model.name)).toEqual([name]);
      const byTag = await store.searchRegisteredModels({ filter: `tags.k = "it's"` });
      expect(byTag.items.map((model) => model.name)).toEqual([name]);
    });
  });
}
