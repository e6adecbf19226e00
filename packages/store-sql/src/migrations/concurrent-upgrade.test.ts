import { spawn } from 'node:child_process';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mlflowSchemaRevision } from '../schema/mlflow-revision.js';
import { sqliteSchemaShape } from '../testing/sqlite-schema-shape.js';
import { type UpgradeResult, upgradeDatabase } from '../upgrade-database.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const upgraderScript = fileURLToPath(new URL('../__children__/sql-upgrader.ts', import.meta.url));
const fixture = fileURLToPath(new URL('./__fixtures__/mlflow-3.17.2.db', import.meta.url));

/** Runs `upgradeDatabase(uri)` in its own Node process (tsx, workspace packages from source). */
function runUpgrader(uri: string): Promise<{ result?: UpgradeResult; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions', 'development', upgraderScript, uri],
      // `--import tsx` resolves from the working directory; the package's folder finds the workspace's tsx.
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1);
      resolve({
        ...(code === 0 && last !== undefined ? { result: JSON.parse(last) as UpgradeResult } : {}),
        stderr,
        code,
      });
    });
  });
}

describe('upgradeDatabase from several processes at once', () => {
  it('upgrades one MLflow 3.17 SQLite database exactly once when four processes run it together', {
    timeout: 120_000,
  }, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cairn-sql-upgrade-race-'));
    const path = join(directory, 'shared.db');
    await copyFile(fixture, path);
    // An issue with categories: a second backfill would hit issue_categories' primary key.
    const database = new Database(path);
    database
      .prepare(
        `INSERT INTO issues (issue_id, experiment_id, name, description, status, categories, created_timestamp, last_updated_timestamp)
         VALUES ('issue-1', 1, 'slow', 'latency', 'open', '["a","b"]', 1, 2)`,
      )
      .run();
    database.close();
    const uri = `sqlite:///${path}`;
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => runUpgrader(uri)));
    for (const outcome of outcomes) {
      expect(outcome.stderr).toBe('');
      expect(outcome.code).toBe(0);
    }
    const results = outcomes.map((outcome) => outcome.result);
    expect(results.filter((result) => result?.upgraded)).toEqual([
      {
        previousRevision: 'dc11669786a5',
        revision: mlflowSchemaRevision,
        created: false,
        upgraded: true,
        addedIndexes: ['cairn_latest_metrics_key_value'],
        cairnIndexes: ['cairn_latest_metrics_key_value'],
      },
    ]);
    expect(results.filter((result) => result?.upgraded === false)).toHaveLength(3);
    for (const result of results) expect(result?.revision).toBe(mlflowSchemaRevision);
    const fresh = join(directory, 'fresh.db');
    await upgradeDatabase(`sqlite:///${fresh}`);
    expect(sqliteSchemaShape(path)).toEqual(sqliteSchemaShape(fresh));
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM issue_categories').get()).toEqual({ n: 2 });
    check.close();
  });
});
