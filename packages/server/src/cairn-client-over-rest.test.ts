import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnClient } from '@cairn/client';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

describe('CairnClient with an http:// tracking URI', () => {
  it('tracks a run and moves artifacts through the proxy, as a TypeScript user would', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-client-rest-'));
    const app = createServer({
      trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
      artifactStore: createFileArtifactStore({ root: join(dir, 'served') }),
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const client = new CairnClient({ trackingUri: url, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
    try {
      const experimentId = await client.createExperiment('ts-user', { tags: { team: 'ts' } });
      const run = await client.createRun(experimentId, { runName: 'over-http' });
      const runId = run.info.run_id;
      await client.logParam(runId, 'lr', 0.1);
      await client.logMetric(runId, 'loss', Number.NaN, { step: 1 });
      await client.setTag(runId, 'phase', 'train');
      const local = join(dir, 'weights.bin');
      await writeFile(local, Buffer.from([9, 8, 7]));
      await client.logArtifact(runId, local, 'model');
      await client.logText(runId, 'hello', 'notes/readme.txt');
      const read = await client.getRun(runId);
      expect(read.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
      expect(read.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
      expect(Number.isNaN(read.data.metrics[0]?.value)).toBe(true);
      expect((await client.listArtifacts(runId)).map((file) => file.path)).toEqual(['model', 'notes']);
      const downloaded = await client.downloadArtifacts({ runId, dstPath: join(dir, 'down') });
      expect([...(await readFile(join(downloaded, 'model', 'weights.bin')))]).toEqual([9, 8, 7]);
      expect(await readFile(join(downloaded, 'notes', 'readme.txt'), 'utf8')).toBe('hello');
      // The bytes landed in the server's artifact destination, not somewhere the client chose.
      expect(
        await readFile(join(dir, 'served', experimentId, runId, 'artifacts', 'notes', 'readme.txt'), 'utf8'),
      ).toBe('hello');
    } finally {
      await client.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
