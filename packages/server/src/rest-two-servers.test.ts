import { CairnClient } from '@cairn/client';
import { createMemoryArtifactStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

async function collectText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

// Regression: a module-level "current tracking server", set by whichever REST store opened last, sent the
// host-less mlflow-artifacts: URIs of the first client to the second client's server.
describe('two clients on two servers in one process', () => {
  it('each writes and reads its artifacts on its own server', async () => {
    const servers = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const artifactStore = createMemoryArtifactStore({ rootUri: `memory://two-servers-${name}` });
        const app = createServer({
          trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
          artifactStore,
        });
        return { app, artifactStore, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
      }),
    );
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const env = { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
    try {
      const first = new CairnClient({ trackingUri: a.url, env });
      const runA = await first.createRun('0');
      // The second client opens after the first, as the bug needed.
      const second = new CairnClient({ trackingUri: b.url, env });
      const runB = await second.createRun('0');
      expect(runA.info.artifact_uri).toMatch(/^mlflow-artifacts:\/0\//u);
      await (await first.artifactStoreAt(runA.info.artifact_uri)).put('who.txt', 'a');
      await (await second.artifactStoreAt(runB.info.artifact_uri)).put('who.txt', 'b');
      await (await first.artifactStoreAt(runA.info.artifact_uri)).put('again.txt', 'a again');

      const under = (runId: string) => `0/${runId}/artifacts`;
      expect((await a.artifactStore.list(under(runA.info.run_id))).map((file) => file.path).sort()).toEqual([
        `${under(runA.info.run_id)}/again.txt`,
        `${under(runA.info.run_id)}/who.txt`,
      ]);
      expect(await a.artifactStore.list(under(runB.info.run_id))).toEqual([]);
      expect(await b.artifactStore.list(under(runA.info.run_id))).toEqual([]);
      expect(await collectText(await b.artifactStore.get(`${under(runB.info.run_id)}/who.txt`))).toBe('b');
      expect(
        await collectText(await (await first.artifactStoreAt(runA.info.artifact_uri)).get('who.txt')),
      ).toBe('a');
      await first.close();
      await second.close();
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });
});
