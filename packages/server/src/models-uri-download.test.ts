import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnClient } from '@cairn/client';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

describe('CairnClient.downloadArtifacts of models:/ URIs', () => {
  it('resolves versions, aliases, stages, latest and logged models to the right files, through a server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-models-uri-'));
    const trackingStore = createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' });
    const app = createServer({
      trackingStore,
      registryStore: createMemoryRegistryStore(),
      artifactStore: createFileArtifactStore({ root: join(dir, 'served') }),
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
    const client = new CairnClient({ trackingUri: url, env });
    const registry = await client.registryStore();
    if (registry === undefined) throw new Error('an http:// client has a registry');
    try {
      const run = await client.createRun('0');
      const runId = run.info.run_id;
      for (const [version, text] of [
        ['v1', 'one'],
        ['v2', 'two'],
      ] as const) {
        const local = join(dir, `${version}.txt`);
        await writeFile(local, text);
        await client.logArtifact(runId, local, `${version}/model`);
      }
      await registry.createRegisteredModel({ name: 'm' });
      await registry.createModelVersion({ name: 'm', source: `runs:/${runId}/v1/model`, runId });
      await registry.createModelVersion({ name: 'm', source: `${run.info.artifact_uri}/v2/model`, runId });
      await registry.setRegisteredModelAlias('m', 'champion', '1');
      await registry.transitionModelVersionStage('m', '1', 'Production', false);
      // A copy of version 1 registered from its models:/ URI reads version 1's files.
      await registry.createRegisteredModel({ name: 'copy' });
      await registry.createModelVersion({ name: 'copy', source: 'models:/m/1' });

      // As MLflow's ModelsArtifactRepository, a model's files land in dst itself (regression: Cairn put them
      // under dst/<last segment of the source>, e.g. dst/artifacts/ for a logged model).
      const read = async (uri: string, file: string) => {
        const dstPath = await mkdtemp(join(dir, 'dl-'));
        const local = await client.downloadArtifacts({ artifactUri: uri, dstPath });
        expect(local).toBe(dstPath);
        return readFile(join(dstPath, file), 'utf8');
      };
      expect(await read('models:/m/1', 'v1.txt')).toBe('one');
      expect(await read('models:/m/2', 'v2.txt')).toBe('two');
      expect(await read('models:/m@champion', 'v1.txt')).toBe('one');
      expect(await read('models:/m/latest', 'v2.txt')).toBe('two');
      expect(await read('models:/m/Production', 'v1.txt')).toBe('one');
      expect(await read('models:/copy/1', 'v1.txt')).toBe('one');
      const logged = await (await client.trackingStore()).createLoggedModel({
        experimentId: '0',
        name: 'lm',
      });
      await (await client.artifactStoreAt(logged.info.artifact_uri)).put('MLmodel', 'flavors: {}');
      expect(await read(`models:/${logged.info.model_id}`, 'MLmodel')).toBe('flavors: {}');
      const singleDst = await mkdtemp(join(dir, 'dl-'));
      const single = await client.downloadArtifacts({
        artifactUri: 'models:/m/2/v2.txt',
        dstPath: singleDst,
      });
      expect(single).toBe(join(singleDst, 'v2.txt'));
      expect(await readFile(single, 'utf8')).toBe('two');

      await expect(client.downloadArtifacts({ artifactUri: 'models:/m/9' })).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      });
      await expect(client.downloadArtifacts({ artifactUri: 'models:/m@nobody' })).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
      await expect(client.downloadArtifacts({ artifactUri: 'models:/m/Staging' })).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      });
      const local = new CairnClient({ store: createMemoryTrackingStore() });
      await expect(local.downloadArtifacts({ artifactUri: 'models:/m/1' })).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
      await local.close();
    } finally {
      await client.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
