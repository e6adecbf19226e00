import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { experimentPurgeStatements } from './sql-experiment-purge.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';

const rowCounts = (path: string) => {
  const database = new Database(path, { readonly: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of [
      'experiments',
      'experiment_tags',
      'runs',
      'params',
      'metrics',
      'latest_metrics',
      'tags',
      'inputs',
      'input_tags',
      'datasets',
    ]) {
      counts[table] = (database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    return counts;
  } finally {
    database.close();
  }
};

describe('purging an experiment in SQL', () => {
  it('covers every table that hangs off an experiment, children before parents', () => {
    const statements = experimentPurgeStatements('postgres', 7);
    const order = statements.map((statement) => /^(?:DELETE FROM|UPDATE) "([a-z_]+)"/u.exec(statement)?.[1]);
    for (const table of [
      'runs',
      'params',
      'metrics',
      'latest_metrics',
      'tags',
      'experiment_tags',
      'datasets',
      'inputs',
      'input_tags',
      'trace_info',
      'spans',
      'logged_models',
      'sql_trace_metric_daily_rollups',
    ]) {
      expect(order, table).toContain(table);
    }
    for (const [child, parent] of [
      ['metrics', 'runs'],
      ['runs', 'experiments'],
      ['spans', 'trace_info'],
      ['input_tags', 'inputs'],
    ] as const) {
      expect(order.indexOf(child), `${child} before ${parent}`).toBeLessThan(order.indexOf(parent));
    }
    expect(statements.at(-1)).toBe('DELETE FROM "experiments" WHERE "experiment_id" = 7');
  });

  it('is all or nothing: a failure on the last tables rolls back what went before (SQLite)', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-purge-')), 'mlflow.db');
    const store = createSqlTrackingStore({ uri: `sqlite:///${path}`, artifactRoot: 'file:///tmp/a' });
    try {
      const experimentId = await store.createExperiment({ name: 'doomed', tags: [{ key: 'k', value: 'v' }] });
      const run = await store.createRun({ experimentId });
      await store.logBatch({
        runId: run.info.run_id,
        params: [{ key: 'p', value: '1' }],
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
      });
      await store.logInputs({
        runId: run.info.run_id,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'train' }],
            dataset: { name: 'd', digest: 'x', source_type: 'local', source: '{}' },
          },
        ],
      });
      await store.deleteExperiment(experimentId);
      const before = rowCounts(path);
      // A trigger that makes the final delete (the experiment row) fail, after every child table was emptied.
      const database = new Database(path);
      database.exec(
        `CREATE TRIGGER refuse BEFORE DELETE ON experiments BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
      database.close();

      await expect(store.purgeExperiment(experimentId)).rejects.toThrow();
      expect(rowCounts(path)).toEqual(before);
      expect((await store.getRun(run.info.run_id)).data.params).toEqual([{ key: 'p', value: '1' }]);

      const cleanup = new Database(path);
      cleanup.exec('DROP TRIGGER refuse');
      cleanup.close();
      await store.purgeExperiment(experimentId);
      const after = rowCounts(path);
      expect(after).toMatchObject({
        experiments: 1,
        experiment_tags: 0,
        runs: 0,
        params: 0,
        metrics: 0,
        latest_metrics: 0,
        tags: 0,
        inputs: 0,
        input_tags: 0,
        datasets: 0,
      });
    } finally {
      await store.close();
    }
  });
});
