import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, pathToFileUri } from '@cairn/core';
import { describeStorePlugin } from '@cairn/testkit';
import { describe, expect, it } from 'vitest';
import { fileStorePlugin } from './file-store-plugin.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'cairn-file-plugin-'));

describeStorePlugin(fileStorePlugin, {
  trackingUri: () => pathToFileUri(join(fresh(), 'mlruns')),
  artifactUri: () => join(fresh(), 'artifacts'),
});

describe('fileStorePlugin', () => {
  it('resolves a relative path against context.cwd and keeps new artifacts under context.artifactRoot', async () => {
    const cwd = fresh();
    const stores = await openStores('./mlruns', [fileStorePlugin], {
      cwd,
      artifactRoot: pathToFileUri(join(cwd, 'elsewhere')),
    });
    const experimentId = await stores.tracking.createExperiment({ name: 'relative' });
    expect((await stores.tracking.getExperiment(experimentId)).artifact_location).toBe(
      pathToFileUri(join(cwd, 'elsewhere', experimentId)),
    );
    await stores.close();
  });

  it('opens the model registry in the same tree, under models/ as MLflow keeps it', async () => {
    const cwd = fresh();
    const stores = await openStores('file:./mlruns', [fileStorePlugin], { cwd });
    expect(stores.registry).toBeDefined();
    await stores.registry?.createRegisteredModel({ name: 'churn', tags: [{ key: 'team', value: 'a' }] });
    expect(readFileSync(join(cwd, 'mlruns', 'models', 'churn', 'tags', 'team'), 'utf8')).toBe('a');
    expect((await stores.registry?.getRegisteredModel('churn'))?.tags).toEqual([{ key: 'team', value: 'a' }]);
    await stores.close();
  });

  it('refuses a relative path without a working directory, naming the URI', async () => {
    await expect(openStores('mlruns', [fileStorePlugin], {})).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining("'mlruns'"),
    });
  });
});
