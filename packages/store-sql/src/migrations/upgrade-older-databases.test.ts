import { execFile } from 'node:child_process';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CairnError } from '@cairn/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mlflowSchemaRevision } from '../schema/mlflow-revision.js';
import { createSqlTrackingStore } from '../sql-tracking-store.js';
import { sqliteSchemaShape } from '../testing/sqlite-schema-shape.js';
import { upgradeDatabase } from '../upgrade-database.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const python = process.env.CAIRN_MLFLOW_PYTHON;
const hasPython = python !== undefined && python !== '';
if (!hasPython) {
  console.log(
    'SKIPPED: store-sql upgrade matches MLflow 3.18.0’s own — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh | tail -1)',
  );
}

/** A private copy of a committed fixture (tests must never change the committed file). */
async function copyOfFixture(version: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'cairn-sql-upgrade-'));
  const path = join(directory, `mlflow-${version}.db`);
  await copyFile(join(fixtures, `mlflow-${version}.db`), path);
  return path;
}

async function freshSchema(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-upgrade-')), 'fresh.db');
  await upgradeDatabase(`sqlite:///${path}`);
  return path;
}

function expectSameShape(actualPath: string, expectedPath: string): void {
  const expected = sqliteSchemaShape(expectedPath);
  const actual = sqliteSchemaShape(actualPath);
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const table of Object.keys(expected)) {
    expect({ table, ...actual[table] }).toEqual({ table, ...expected[table] });
  }
}

function revisionOf(path: string): unknown {
  const database = new Database(path, { readonly: true });
  try {
    return database.prepare('SELECT version_num FROM alembic_version').all();
  } finally {
    database.close();
  }
}

/** An issue with categories (two differing only in case and spaces) for the data step to split up. */
function addIssue(path: string): void {
  const database = new Database(path);
  try {
    database
      .prepare(
        `INSERT INTO issues (issue_id, experiment_id, name, description, status, categories, created_timestamp, last_updated_timestamp)
         VALUES ('issue-1', 1, 'slow', 'latency', 'open', ?, 1700000000000, 1700000000500)`,
      )
      .run(JSON.stringify(['Latency', ' latency ', 'Cost', 'Ünïcode']));
  } finally {
    database.close();
  }
}

function issueRows(path: string): { categories: unknown; issue: unknown } {
  const database = new Database(path, { readonly: true });
  try {
    return {
      categories: database
        .prepare('SELECT issue_id, category_hash, category FROM issue_categories ORDER BY category_hash')
        .all(),
      issue: database
        .prepare('SELECT last_seen_timestamp, last_updated_by, metadata FROM issues WHERE issue_id = ?')
        .get('issue-1'),
    };
  } finally {
    database.close();
  }
}

describe('upgradeDatabase on databases of older MLflow releases (SQLite)', () => {
  it('upgrades MLflow 3.17.2’s database to f4a9b2c7d1e6, the same schema a fresh database gets', async () => {
    const path = await copyOfFixture('3.17.2');
    expect(await upgradeDatabase(`sqlite:///${path}`)).toEqual({
      previousRevision: 'dc11669786a5',
      revision: mlflowSchemaRevision,
      created: false,
      upgraded: true,
      addedIndexes: ['cairn_latest_metrics_key_value'],
      cairnIndexes: ['cairn_latest_metrics_key_value'],
    });
    expect(revisionOf(path)).toEqual([{ version_num: mlflowSchemaRevision }]);
    expectSameShape(path, await freshSchema());
    // Running it again finds the database current.
    expect(await upgradeDatabase(`sqlite:///${path}`)).toMatchObject({ upgraded: false, created: false });
  });

  it('keeps the experiment, runs, params, metrics and tags MLflow 3.17.2 wrote, readable through the store', async () => {
    const path = await copyOfFixture('3.17.2');
    await upgradeDatabase(`sqlite:///${path}`);
    const tracking = createSqlTrackingStore({ uri: `sqlite:///${path}` });
    try {
      const experiment = await tracking.getExperimentByName('upgrade-fixture');
      expect(experiment).toMatchObject({
        name: 'upgrade-fixture',
        artifact_location: 'file:///tmp/upgrade-fixture',
      });
      expect(experiment?.tags).toContainEqual({ key: 'team', value: 'cairn' });
      const experimentId = experiment?.experiment_id as string;
      const page = await tracking.searchRuns({
        experimentIds: [experimentId],
        filter: "params.lr = '0.02'",
      });
      expect(page.items).toHaveLength(1);
      const run = page.items[0];
      expect(run?.info).toMatchObject({ run_name: 'run-1', status: 'FINISHED', end_time: 1_700_000_100_001 });
      expect(run?.data.params).toEqual(
        expect.arrayContaining([
          { key: 'lr', value: '0.02' },
          { key: 'layers', value: '3' },
        ]),
      );
      expect(run?.data.tags).toContainEqual({ key: 'stage', value: 's1' });
      expect(run?.data.metrics).toContainEqual(
        expect.objectContaining({ key: 'loss', step: 2, value: 0.25 }),
      );
      const history = await tracking.getMetricHistory({
        runId: run?.info.run_id as string,
        metricKey: 'loss',
      });
      expect(history.items.map((metric) => metric.step).sort()).toEqual([0, 1, 2]);
      // And the upgraded database takes new writes.
      const created = await tracking.createRun({ experimentId });
      await tracking.logBatch({
        runId: created.info.run_id,
        metrics: [{ key: 'loss', value: 0.1, timestamp: 1, step: 0 }],
      });
      const all = await tracking.searchRuns({ experimentIds: [experimentId] });
      expect(all.items).toHaveLength(3);
    } finally {
      await tracking.close();
    }
  });

  it('moves issue categories into issue_categories and stamps last_seen_timestamp', async () => {
    const path = await copyOfFixture('3.17.2');
    addIssue(path);
    await upgradeDatabase(`sqlite:///${path}`);
    const rows = issueRows(path);
    expect(rows.issue).toEqual({
      last_seen_timestamp: 1_700_000_000_000,
      last_updated_by: null,
      metadata: null,
    });
    // 'Latency' and ' latency ' share a hash; the later spelling is kept, as MLflow keeps it.
    expect((rows.categories as { category: string }[]).map((row) => row.category).sort()).toEqual([
      ' latency ',
      'Cost',
      'Ünïcode',
    ]);
  });

  it('finishes the job when run again over a half-done upgrade (every step checks before it changes)', async () => {
    // What a MySQL upgrade cut off midway leaves: the steps' changes made, alembic_version not yet moved.
    const path = await copyOfFixture('3.17.2');
    addIssue(path);
    await upgradeDatabase(`sqlite:///${path}`);
    const database = new Database(path);
    database.prepare("UPDATE alembic_version SET version_num = 'dc11669786a5'").run();
    database.close();
    expect(await upgradeDatabase(`sqlite:///${path}`)).toMatchObject({ upgraded: true });
    expectSameShape(path, await freshSchema());
    expect((issueRows(path).categories as unknown[]).length).toBe(3);
  });

  it('refuses a release older than it covers, naming the revision and what to run', async () => {
    const path = await copyOfFixture('3.16.1');
    const error = await upgradeDatabase(`sqlite:///${path}`).catch((caught: unknown) => caught);
    expect(CairnError.isInstance(error)).toBe(true);
    expect((error as CairnError).message).toContain('b7e2c1a4d9f3');
    expect((error as CairnError).message).toContain('mlflow db upgrade');
    expect((error as CairnError).message).toContain('MLflow 3.17');
    // Nothing changed.
    expect(revisionOf(path)).toEqual([{ version_num: 'b7e2c1a4d9f3' }]);
  });

  it('refuses a database of a newer MLflow, saying this Cairn cannot use it', async () => {
    const path = await copyOfFixture('3.17.2');
    const database = new Database(path);
    database.prepare("UPDATE alembic_version SET version_num = 'ffffffffffff'").run();
    database.close();
    await expect(upgradeDatabase(`sqlite:///${path}`)).rejects.toThrow(
      /ffffffffffff.*newer MLflow, this Cairn version cannot use it/u,
    );
  });

  it('makes a store opening a 3.17 database say to run cairn db upgrade', async () => {
    const path = await copyOfFixture('3.17.2');
    const tracking = createSqlTrackingStore({ uri: `sqlite:///${path}` });
    await expect(tracking.getExperimentByName('upgrade-fixture')).rejects.toThrow(
      /dc11669786a5.*cairn db upgrade/u,
    );
    await tracking.close();
    expect(revisionOf(path)).toEqual([{ version_num: 'dc11669786a5' }]);
  });
});

describe.skipIf(!hasPython)('upgradeDatabase matches MLflow 3.18.0’s own upgrade (SQLite)', () => {
  it('leaves the same schema and the same issue_categories rows as `mlflow db upgrade`', {
    timeout: 180_000,
  }, async () => {
    const ours = await copyOfFixture('3.17.2');
    const theirs = await copyOfFixture('3.17.2');
    addIssue(ours);
    addIssue(theirs);
    await upgradeDatabase(`sqlite:///${ours}`);
    await promisify(execFile)(python as string, ['-m', 'mlflow', 'db', 'upgrade', `sqlite:///${theirs}`]);
    expect(revisionOf(theirs)).toEqual([{ version_num: mlflowSchemaRevision }]);
    expectSameShape(ours, theirs);
    expect(issueRows(ours)).toEqual(issueRows(theirs));
  });
});
