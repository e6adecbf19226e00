import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnError } from '@cairn/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from '../sql-tracking-store.js';
import { sqliteSchemaShape } from '../testing/sqlite-schema-shape.js';
import { upgradeDatabase } from '../upgrade-database.js';
import { cairnIndexes } from './cairn-indexes.js';
import { mlflowSchemaRevision } from './mlflow-revision.js';
import { allTables, renderSchema } from './render-schema.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
const hasPython = python !== undefined && python !== '';
if (!hasPython) {
  console.log(
    'SKIPPED: store-sql schema matches MLflow 3.18.0 — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh | tail -1)',
  );
}

const tempDatabase = async (name: string) => join(await mkdtemp(join(tmpdir(), 'cairn-sql-schema-')), name);

describe('store-sql schema', () => {
  it('creates an empty SQLite database at revision f4a9b2c7d1e6, and leaves it alone when reopened', async () => {
    const path = await tempDatabase('fresh.db');
    expect(await upgradeDatabase(`sqlite:///${path}`)).toEqual({
      revision: mlflowSchemaRevision,
      created: true,
      upgraded: false,
      addedIndexes: ['cairn_latest_metrics_key_value'],
      cairnIndexes: ['cairn_latest_metrics_key_value'],
    });
    expect(await upgradeDatabase(`sqlite:///${path}`)).toMatchObject({ created: false, addedIndexes: [] });
    const database = new Database(path, { readonly: true });
    const rows = database.prepare('SELECT version_num FROM alembic_version').all();
    const tables = database.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get();
    database.close();
    expect(rows).toEqual([{ version_num: 'f4a9b2c7d1e6' }]);
    // MLflow 3.18.0 has 70 tables besides alembic_version, including the ones Cairn does not use yet.
    expect(tables).toEqual({ n: allTables.length + 1 });
    expect(allTables.length).toBe(70);
  });

  it('refuses an older MLflow database, naming its revision and the command to run', async () => {
    const path = await tempDatabase('old.db');
    const database = new Database(path);
    database.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('cbc13b556ace')",
    );
    database.close();
    const error = await upgradeDatabase(`sqlite:///${path}`).catch((caught: unknown) => caught);
    expect(CairnError.isInstance(error)).toBe(true);
    expect((error as CairnError).message).toContain('cbc13b556ace');
    expect((error as CairnError).message).toContain('mlflow db upgrade');
  });

  it('refuses a database that has tables but is not MLflow’s', async () => {
    const path = await tempDatabase('other.db');
    const database = new Database(path);
    database.exec('CREATE TABLE something (id INTEGER)');
    database.close();
    await expect(upgradeDatabase(`sqlite:///${path}`)).rejects.toThrow(/no alembic_version table/u);
  });

  it('renders every dialect without leaving a type or default unconverted', () => {
    const postgres = renderSchema('postgres').join('\n');
    expect(postgres).toContain('"value" DOUBLE PRECISION NOT NULL');
    expect(postgres).toContain('"experiment_id" SERIAL NOT NULL');
    expect(postgres).not.toMatch(/BOOLEAN DEFAULT '0'/u);
    expect(postgres).not.toContain('BLOB');
    const mysql = renderSchema('mysql').join('\n');
    expect(mysql).toContain('`content` LONGTEXT NOT NULL');
    expect(mysql).toContain('`experiment_id` INTEGER AUTO_INCREMENT NOT NULL');
  });
});

// Asks MLflow itself to create a database, then compares it with Cairn's, table by table.
const creator = `
import sys
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
SqlAlchemyStore("sqlite:///" + sys.argv[1], sys.argv[2])
`;

describe.skipIf(!hasPython)('store-sql schema matches MLflow 3.18.0', () => {
  it('has the same tables, columns, keys and indexes as a database MLflow creates', {
    timeout: 180_000,
  }, async () => {
    const ours = await tempDatabase('cairn.db');
    const theirs = await tempDatabase('mlflow.db');
    await upgradeDatabase(`sqlite:///${ours}`);
    await promisify(execFile)(python as string, [
      '-c',
      creator,
      theirs,
      join(tmpdir(), 'cairn-sql-artifacts'),
    ]);
    const expected = sqliteSchemaShape(theirs);
    const actual = sqliteSchemaShape(ours);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected))
      expect({ table, ...actual[table] }).toEqual({ table, ...expected[table] });
  });

  it('adds only Cairn’s own indexes: with a new database, and to MLflow’s by cairn db upgrade', {
    timeout: 180_000,
  }, async () => {
    const ours = await tempDatabase('cairn.db');
    const theirs = await tempDatabase('mlflow.db');
    const ourIndexes = cairnIndexes.map((index) => index.name);
    expect(await upgradeDatabase(`sqlite:///${ours}`)).toMatchObject({
      created: true,
      addedIndexes: ourIndexes,
      cairnIndexes: ourIndexes,
    });
    await promisify(execFile)(python as string, [
      '-c',
      creator,
      theirs,
      join(tmpdir(), 'cairn-sql-artifacts'),
    ]);
    // A store opening MLflow's database leaves it as it is ...
    const store = createSqlTrackingStore({ uri: `sqlite:///${theirs}` });
    await store.searchRuns({
      experimentIds: ['0'],
      filter: 'metrics.acc > 0',
      orderBy: ['metrics.acc DESC'],
    });
    await store.close();
    expect(sqliteIndexNames(theirs).filter((name) => name.startsWith('cairn_'))).toEqual([]);
    // ... cairn db upgrade adds the indexes once, and MLflow still opens the database as current.
    expect(await upgradeDatabase(`sqlite:///${theirs}`)).toMatchObject({ addedIndexes: ourIndexes });
    expect(await upgradeDatabase(`sqlite:///${theirs}`)).toMatchObject({
      addedIndexes: [],
      cairnIndexes: ourIndexes,
    });
    const { stdout } = await promisify(execFile)(python as string, [
      '-c',
      `${creator}\nprint(SqlAlchemyStore("sqlite:///" + sys.argv[1], sys.argv[2]).get_experiment("0").name)`,
      theirs,
      join(tmpdir(), 'cairn-sql-artifacts'),
    ]);
    expect(stdout.trim().split('\n').pop()).toBe('Default');
  });
});

function sqliteIndexNames(path: string): string[] {
  const database = new Database(path, { readonly: true });
  try {
    return (
      database.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]
    )
      .map((row) => row.name)
      .sort();
  } finally {
    database.close();
  }
}
