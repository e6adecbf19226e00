import { openStores } from '@cairn/core';
import { describeStorePlugin } from '@cairn/testkit';
import { describe, expect, it } from 'vitest';
import { createMemoryStorePlugin } from './memory-store-plugin.js';

let counter = 0;

describeStorePlugin(createMemoryStorePlugin(), {
  trackingUri: () => `memory:plugin-${++counter}`,
  artifactUri: () => `memory://plugin-test/${++counter}/artifacts`,
});

describe('createMemoryStorePlugin', () => {
  it('shares memory:<name> within one plugin instance and never across two', async () => {
    const first = createMemoryStorePlugin();
    const second = createMemoryStorePlugin();
    const a = await openStores('memory:shared', [first]);
    const b = await openStores('memory:shared', [first]);
    const c = await openStores('memory:shared', [second]);
    const experimentId = await a.tracking.createExperiment({ name: 'only-in-first' });
    await a.registry?.createRegisteredModel({ name: 'model-in-first' });
    expect((await b.tracking.getExperimentByName('only-in-first'))?.experiment_id).toBe(experimentId);
    expect(await c.tracking.getExperimentByName('only-in-first')).toBeUndefined();
    await expect(c.registry?.getRegisteredModel('model-in-first')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    // Closing one opener leaves the store to the others.
    await a.close();
    expect((await b.tracking.getExperimentByName('only-in-first'))?.experiment_id).toBe(experimentId);
    await Promise.all([b.close(), c.close()]);
  });
});
