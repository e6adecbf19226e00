import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createSqlTrackingStore } from './sql-tracking-store.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('stores on one SQLite file in one process', () => {
  // Regression: a server's tracking and registry stores each had a connection; better-sqlite3 waits for a
  // lock synchronously, so concurrent writes blocked the event loop for the 30 s busy timeout and then
  // failed with "database is locked".
  it('write concurrently without "database is locked", and the file stays open until both close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-shared-sqlite-'));
    const uri = `sqlite:///${join(dir, 'mlflow.db')}`;
    const tracking = createSqlTrackingStore({ uri, artifactRoot: 'mlflow-artifacts:' });
    const registry = createSqlRegistryStore({ uri });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        Promise.all([
          tracking.createExperiment({ name: `experiment-${index}` }),
          registry.createRegisteredModel({ name: `model-${index}` }),
        ]),
      ),
    );
    expect(performance.now() - started).toBeLessThan(5000);
    await registry.close();
    // The tracking store still reads and writes after the registry store closed.
    expect((await tracking.getExperimentByName('experiment-9'))?.name).toBe('experiment-9');
    await tracking.createExperiment({ name: 'after-close' });
    await tracking.close();
    const reopened = createSqlRegistryStore({ uri });
    expect((await reopened.searchRegisteredModels({})).items).toHaveLength(10);
    await reopened.close();
  });
});
