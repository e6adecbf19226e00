import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

/**
 * The ingest fast path (prepared single-row INSERTs on SQLite, cached multi-row texts elsewhere, one
 * latest_metrics upsert per batch): what a batch stores must not change with it.
 */
function batchSuite(name: string, uriFor: () => Promise<{ uri: string; cleanup(): Promise<void> }>) {
  describe(`log-batch fast path: ${name}`, () => {
    let store: TrackingStore;
    let experimentId = '';
    let cleanup: () => Promise<void> = async () => {};
    beforeAll(async () => {
      const database = await uriFor();
      cleanup = database.cleanup;
      store = createSqlTrackingStore({ uri: database.uri });
      experimentId = await store.createExperiment({ name: 'batches' });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup();
    });

    it('stores identical points of one batch once, and points differing only in value or NaN each', async () => {
      const runId = (await store.createRun({ experimentId })).info.run_id;
      const point = { key: 'm', value: 1.5, timestamp: 10, step: 3 };
      await store.logBatch({
        runId,
        metrics: [
          point,
          point,
          { ...point, value: 2.5 },
          { ...point, value: Number.NaN },
          { ...point, value: Number.NaN },
        ],
      });
      const history = await store.getMetricHistory({ runId, metricKey: 'm' });
      expect(history.items.map((item) => item.value).sort()).toEqual([1.5, 2.5, Number.NaN]);
    });

    it('stores 1,000 points in chunks, each once, with the latest point per key after batches out of order', async () => {
      const runId = (await store.createRun({ experimentId })).info.run_id;
      const points = (first: number) =>
        Array.from({ length: 1_000 }, (_, i) => ({
          key: `k${i % 5}`,
          value: first + i,
          timestamp: 1_000 + first + i,
          step: first + i,
        }));
      await store.logBatch({ runId, metrics: points(10_000) });
      // An older batch after a newer one: its points are stored, the latest values stay the newer ones.
      await store.logBatch({ runId, metrics: points(0) });
      await store.logBatch({ runId, metrics: points(10_000) });
      const history = await store.getMetricHistory({ runId, metricKey: 'k0', maxResults: 10_000 });
      expect(history.items).toHaveLength(400);
      const latest = (await store.getRun(runId)).data.metrics;
      expect(latest).toEqual(
        [0, 1, 2, 3, 4].map((k) => ({
          key: `k${k}`,
          value: 10_995 + k,
          timestamp: 11_995 + k,
          step: 10_995 + k,
        })),
      );
    });

    it('moves the latest value of an existing key and adds new keys in one batch', async () => {
      const runId = (await store.createRun({ experimentId })).info.run_id;
      await store.logBatch({ runId, metrics: [{ key: 'a', value: 1, timestamp: 1, step: 1 }] });
      await store.logBatch({
        runId,
        metrics: [
          { key: 'a', value: Number.POSITIVE_INFINITY, timestamp: 2, step: 2 },
          { key: 'b', value: -1, timestamp: 2, step: 0 },
        ],
      });
      expect((await store.getRun(runId)).data.metrics).toEqual([
        { key: 'a', value: Number.POSITIVE_INFINITY, timestamp: 2, step: 2 },
        { key: 'b', value: -1, timestamp: 2, step: 0 },
      ]);
    });
  });
}

batchSuite('SQLite', async () => ({
  uri: `sqlite:///${join(mkdtempSync(join(tmpdir(), 'cairn-sql-batch-')), 'batch.db')}`,
  cleanup: async () => {},
}));

for (const [name, variable] of [
  ['PostgreSQL', 'CAIRN_TEST_POSTGRES_URI'],
  ['MariaDB', 'CAIRN_TEST_MYSQL_URI'],
] as const) {
  const adminUri = process.env[variable];
  if (!adminUri) {
    console.log(`SKIPPED: store-sql log-batch fast path on ${name} — set ${variable}`);
    continue;
  }
  batchSuite(name, async () => {
    const database: ServerDatabase = await createServerDatabase(adminUri, 'cairn_batch');
    return { uri: database.uri, cleanup: () => database.drop() };
  });
}
