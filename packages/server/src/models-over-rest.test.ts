import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnClient, createTracking } from '@cairn/client';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

describe('models logged and loaded through a tracking server', () => {
  it('logModel registers a js_function model and loadModel reads it back by alias, version and model id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-models-rest-'));
    const app = createServer({
      trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
      registryStore: createMemoryRegistryStore(),
      artifactStore: createFileArtifactStore({ root: join(dir, 'served') }),
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
    const tracking = createTracking({ trackingUri: url, env, exitHook: false, systemTags: async () => ({}) });
    const client = new CairnClient({ trackingUri: url, env });
    try {
      const run = await tracking.startRun({ runName: 'train' });
      const info = await tracking.logModel({
        model: (input: { rows: number[][] }) => input.rows.map((row) => (row[0] ?? 0) + (row[1] ?? 0)),
        name: 'adder',
        inputExample: [{ a: 1, b: 2 }],
        registeredModelName: 'Adder',
      });
      await run.end();
      expect(info.runId).toBe(run.runId);
      expect(info.artifactUri).toMatch(/^mlflow-artifacts:/u);
      expect(info.registeredModelVersion).toMatchObject({ version: '1', source: `models:/${info.modelId}` });
      const registry = await client.registryStore();
      await registry?.setRegisteredModelAlias('Adder', 'champion', '1');
      for (const uri of ['models:/Adder@champion', 'models:/Adder/1', info.modelUri]) {
        const model = await client.loadModel(uri);
        expect(model.mlmodel.signature?.inputs).toEqual({
          kind: 'columns',
          columns: [
            { name: 'a', type: 'long', required: true },
            { name: 'b', type: 'long', required: true },
          ],
        });
        await expect(model.predict([{ a: 2, b: 3 }])).resolves.toEqual([5]);
        await expect(model.predict([{ a: 2 }])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
        await model.close();
      }
      const stored = await (await client.trackingStore()).getLoggedModel(info.modelId);
      expect(stored.info).toMatchObject({
        status: 'LOGGED_MODEL_READY',
        source_run_id: run.runId,
        name: 'adder',
      });
      expect((await client.getRun(run.runId)).outputs?.model_outputs).toEqual([
        { model_id: info.modelId, step: 0 },
      ]);

      // Without an active run, the fluent logModel makes a logged model of the active experiment and no run.
      const orphan = await tracking.logModel({ model: () => 1 });
      expect(orphan.runId).toBeUndefined();
      expect(orphan.loggedModel.info.experiment_id).toBe('0');
    } finally {
      await tracking.client().close();
      await client.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
