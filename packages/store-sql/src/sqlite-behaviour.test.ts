import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '@cairn/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';

const stores: TrackingStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
const open = (path: string, createSchema = true) => {
  const store = createSqlTrackingStore({
    uri: `sqlite:///${path}`,
    artifactRoot: 'file:///tmp/a',
    createSchema,
  });
  stores.push(store);
  return store;
};
const tempPath = async () => join(await mkdtemp(join(tmpdir(), 'cairn-sql-sqlite-')), 'mlflow.db');

describe('store-sql on SQLite', () => {
  it('reports a database it cannot open as a CairnError with the driver error as cause', async () => {
    const store = open(join(await tempPath(), 'missing-folder', 'mlflow.db'));
    const error = await store.getExperiment('0').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('puts the database in WAL mode', async () => {
    const path = await tempPath();
    await open(path).getExperiment('0');
    const database = new Database(path, { readonly: true });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
  });

  it('refuses an empty database when schema creation is off, naming the command to run', async () => {
    const path = await tempPath();
    await expect(open(path, false).getExperiment('0')).rejects.toThrow(/cairn db upgrade/u);
  });

  it('refuses an older MLflow database on open, naming the revision and the command that upgrades it', async () => {
    // MLflow 3.17's revision, which `cairn db upgrade` migrates; 3.10's, which only MLflow itself does.
    for (const [revision, command] of [
      ['dc11669786a5', 'cairn db upgrade'],
      ['1b5f0d9ad7c1', 'mlflow db upgrade'],
    ] as const) {
      const path = await tempPath();
      const database = new Database(path);
      database.exec(
        `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('${revision}')`,
      );
      database.close();
      const error = await open(path)
        .getExperiment('0')
        .catch((caught: unknown) => caught as Error);
      expect(error).toMatchObject({ code: 'INVALID_STATE' });
      expect((error as Error).message).toContain(revision);
      expect((error as Error).message).toContain(`${command} sqlite:///${path}`);
    }
  });

  it('loses no point when two stores (two connections) write one run at once, and keeps latest_metrics exact', async () => {
    const path = await tempPath();
    const first = open(path);
    const experimentId = await first.createExperiment({ name: 'shared' });
    const { run_id: runId } = (await first.createRun({ experimentId })).info;
    const second = open(path);
    await Promise.all(
      Array.from({ length: 40 }, (_, batch) =>
        (batch % 2 === 0 ? first : second).logBatch({
          runId,
          metrics: Array.from({ length: 25 }, (_unused, i) => ({
            key: 'loss',
            value: batch * 25 + i,
            timestamp: 1000,
            step: batch * 25 + i,
          })),
        }),
      ),
    );
    const history = await second.getMetricHistory({ runId, metricKey: 'loss', maxResults: 5000 });
    expect(history.items).toHaveLength(1000);
    expect((await first.getRun(runId)).data.metrics).toEqual([
      { key: 'loss', value: 999, timestamp: 1000, step: 999 },
    ]);
  });

  it('stores a retried batch once, with no duplicate-key failure', async () => {
    const store = open(await tempPath());
    const experimentId = await store.createExperiment({ name: 'retry' });
    const { run_id: runId } = (await store.createRun({ experimentId })).info;
    const batch = {
      runId,
      metrics: [{ key: 'm', value: Number.NaN, timestamp: 5, step: 1 }],
      params: [{ key: 'p', value: '1' }],
      tags: [{ key: 't', value: 'x' }],
    };
    await store.logBatch(batch);
    await store.logBatch(batch);
    const run = await store.getRun(runId);
    expect(run.data.params).toEqual([{ key: 'p', value: '1' }]);
    expect((await store.getMetricHistory({ runId, metricKey: 'm' })).items).toHaveLength(1);
    await expect(store.logBatch({ runId, params: [{ key: 'p', value: '2' }] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });
});
