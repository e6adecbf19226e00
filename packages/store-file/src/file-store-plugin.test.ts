import { mkdtempSync } from 'node:fs';
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
    expect(stores.registry).toBeUndefined();
    await stores.close();
  });

  it('refuses a relative path without a working directory, naming the URI', async () => {
    await expect(openStores('mlruns', [fileStorePlugin], {})).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining("'mlruns'"),
    });
  });
});
