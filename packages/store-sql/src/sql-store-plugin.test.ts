import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, pathToFileUri } from '@cairn/core';
import { describeStorePlugin } from '@cairn/testkit';
import { describe, expect, it } from 'vitest';
import { createSqlStorePlugin, sqlStorePlugin } from './sql-store-plugin.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'cairn-sql-plugin-'));

describeStorePlugin(sqlStorePlugin, {
  trackingUri: () => `sqlite:///${join(fresh(), 'mlflow.db')}`,
  context: () => ({ cwd: fresh() }),
  // The plugin handles every SQL scheme (and SQLAlchemy's +driver spellings); the rest are not its own.
  foreignUris: [
    './mlruns',
    'file:///tmp/mlruns',
    'memory:x',
    'http://127.0.0.1:5000',
    's3://bucket/p',
    'gs://b/p',
  ],
});

describe('sqlStorePlugin', () => {
  it('claims sqlite, postgresql and mysql URIs with SQLAlchemy driver suffixes', () => {
    for (const uri of [
      'sqlite:///mlflow.db',
      'postgresql://u@h/db',
      'postgresql+psycopg2://u@h/db',
      'mysql://u@h/db',
      'mysql+pymysql://u@h/db',
    ]) {
      expect(sqlStorePlugin.handles(uri), uri).toBe(true);
    }
  });

  it('resolves a relative sqlite:/// path against context.cwd, with artifacts under <cwd>/mlartifacts', async () => {
    const cwd = fresh();
    const stores = await openStores('sqlite:///mlflow.db', [createSqlStorePlugin()], { cwd });
    const experimentId = await stores.tracking.createExperiment({ name: 'relative' });
    expect((await stores.tracking.getExperiment(experimentId)).artifact_location).toBe(
      `${pathToFileUri(join(cwd, 'mlartifacts'))}/${experimentId}`,
    );
    // Tracking and registry share the file (and, in one process, the connection).
    await stores.registry?.createRegisteredModel({ name: 'm' });
    await stores.close();
    const again = await openStores(`sqlite:///${join(cwd, 'mlflow.db')}`, [sqlStorePlugin], {});
    expect((await again.tracking.getExperiment(experimentId)).name).toBe('relative');
    expect((await again.registry?.getRegisteredModel('m'))?.name).toBe('m');
    await again.close();
  });

  it('refuses a relative SQLite path without a working directory', async () => {
    await expect(openStores('sqlite:///mlflow.db', [sqlStorePlugin], {})).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });
});
