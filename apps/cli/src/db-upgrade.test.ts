import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox } from './test-helpers.js';

const exec = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(appDir, 'dist', 'cli.js');
const revision = 'f4a9b2c7d1e6';
const mlflow317Fixture = fileURLToPath(
  new URL('../../../packages/store-sql/src/migrations/__fixtures__/mlflow-3.17.2.db', import.meta.url),
);

describe('cairn db upgrade (in-process)', () => {
  it('creates the schema in a fresh SQLite file, then finds it up to date', async () => {
    const { run, json, cwd } = await cliSandbox();
    const created = await run('db', 'upgrade', 'sqlite:///fresh.db');
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain(`Created MLflow schema at revision ${revision}`);
    expect(await json('db', 'upgrade', `sqlite:///${join(cwd, 'fresh.db')}`)).toMatchObject({
      created: false,
      revision,
    });
    const db = new Database(join(cwd, 'fresh.db'), { readonly: true });
    expect(db.prepare('SELECT version_num FROM alembic_version').get()).toEqual({ version_num: revision });
    db.close();
  });

  it('upgrades a database made by MLflow 3.17.2 and says from which revision to which', async () => {
    const { run, json, cwd } = await cliSandbox();
    await copyFile(mlflow317Fixture, join(cwd, 'old.db'));
    const upgraded = await run('db', 'upgrade', 'sqlite:///old.db');
    expect(upgraded).toMatchObject({ code: 0 });
    expect(upgraded.stdout).toMatch(
      new RegExp(`Upgraded database from revision \\w+ to ${revision}\\.`, 'u'),
    );
    expect(upgraded.stdout).toContain(
      "Added Cairn's search indexes (MLflow ignores them): cairn_latest_metrics_key_value.",
    );
    expect(await json('db', 'upgrade', 'sqlite:///old.db')).toMatchObject({
      upgraded: false,
      revision,
      addedIndexes: [],
    });
  });

  it('refuses a database that is not MLflow’s, exiting 1', async () => {
    const { run, cwd } = await cliSandbox();
    const db = new Database(join(cwd, 'other.db'));
    db.exec('CREATE TABLE something (id INTEGER)');
    db.close();
    const refused = await run('db', 'upgrade', 'sqlite:///other.db');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not an MLflow database/u);
    expect((await run('db', 'upgrade')).code).toBe(2);
  });
});

/** Four `cairn db upgrade` processes at once on one fresh database: one creates, three find it done, none fails. */
async function upgradeFromFourProcesses(url: string) {
  const results = await Promise.all(
    Array.from({ length: 4 }, () =>
      exec(process.execPath, [bin, '--json', 'db', 'upgrade', url], { cwd: appDir }),
    ),
  );
  const outcomes = results.map(
    (result) => JSON.parse(result.stdout) as { created: boolean; revision: string },
  );
  expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
  expect(outcomes.every((outcome) => outcome.revision === revision)).toBe(true);
}

const postgresUri = process.env.CAIRN_TEST_POSTGRES_URI;
const mysqlUri = process.env.CAIRN_TEST_MYSQL_URI;
for (const [name, uri] of [
  ['CAIRN_TEST_POSTGRES_URI', postgresUri],
  ['CAIRN_TEST_MYSQL_URI', mysqlUri],
] as const) {
  if (!uri) console.log(`SKIPPED: cli db-upgrade concurrency on ${name.split('_')[2]} — set ${name}`);
}

describe('cairn db upgrade from four processes at once', () => {
  beforeAll(async () => {
    if (!existsSync(bin))
      await exec('npx', ['turbo', 'run', 'build', '--filter', '@cairn/cli...'], { cwd: appDir });
  }, 300_000);

  it('SQLite', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-db-upgrade-'));
    await upgradeFromFourProcesses(`sqlite:///${join(dir, 'race.db')}`);
  });

  it.skipIf(!postgresUri)('PostgreSQL', { timeout: 120_000 }, async () => {
    const name = `cairn_upgrade_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: postgresUri });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(postgresUri ?? '');
      url.pathname = `/${name}`;
      await upgradeFromFourProcesses(url.toString());
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it.skipIf(!mysqlUri)('MariaDB', { timeout: 120_000 }, async () => {
    const name = `cairn_upgrade_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = await mysql.createConnection(mysqlUri ?? '');
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(mysqlUri ?? '');
      url.pathname = `/${name}`;
      await upgradeFromFourProcesses(url.toString());
    } finally {
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  });
});
