import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { saveModel } from '@cairn/models';
import { resolveModelsUri } from '@cairn/registry';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelVersionHeader } from './invocation.js';
import { createModelLoader } from './model-loader.js';
import { predictBatch } from './predict-batch.js';
import { createRegistryVersionResolver } from './registry-version-resolver.js';
import { serveModel } from './scoring-server.js';

let dir: string;
const signature = {
  inputs: { kind: 'columns' as const, columns: [{ name: 'x', type: 'double' as const, required: true }] },
  params: [{ name: 'scale', type: 'double' as const, default: 1, shape: null }],
};

/** A real js_function model from a module file: y = x * weight * scale. */
async function saveLinearModel(name: string, weight: number): Promise<string> {
  const source = join(dir, `${name}.mjs`);
  await writeFile(
    source,
    `export default {
  predict(input, params) {
    const column = input.columns.indexOf('x');
    if (input.rows.some((row) => row[column] === 13)) throw new Error('unlucky row');
    return { kind: 'dataframe', columns: ['y'], rows: input.rows.map((row) => [row[column] * ${weight} * (params.scale ?? 1)]) };
  },
};
`,
  );
  const modelDir = join(dir, name);
  await saveModel(modelDir, { model: { module: source }, signature });
  return modelDir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-serving-js-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serving real js_function models', () => {
  it('serves a saved model: formats, params, model errors (500) and keeps answering', async () => {
    const modelDir = await saveLinearModel('linear', 3);
    const server = await serveModel({ uri: modelDir, loader: createModelLoader(), port: 0 });
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post({ dataframe_split: { columns: ['x'], data: [[1], [2]] }, params: { scale: 2 } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ predictions: [{ y: 6 }, { y: 12 }] });
      const records = await post({ dataframe_records: [{ x: 1.5 }] });
      expect(await records.json()).toEqual({ predictions: [{ y: 4.5 }] });
      const csv = await fetch(`${server.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'x\n1\n10\n',
      });
      expect(await csv.json()).toEqual({ predictions: [{ y: 3 }, { y: 30 }] });

      const unlucky = await post({ dataframe_split: { columns: ['x'], data: [[13]] } });
      expect(unlucky.status).toBe(500);
      expect(((await unlucky.json()) as { message: string }).message).toContain('unlucky row');
      expect((await post({ dataframe_split: { columns: ['x'], data: [[2]] } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers an input or params its signature refuses with 400 INVALID_PARAMETER_VALUE', async () => {
    const modelDir = await saveLinearModel('linear-signature', 3);
    const server = await serveModel({ uri: modelDir, loader: createModelLoader(), port: 0 });
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const missing = await post({ dataframe_split: { columns: ['w'], data: [[1]] } });
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
      const badParam = await post({
        dataframe_split: { columns: ['x'], data: [[1]] },
        params: { scale: 'big' },
      });
      expect(badParam.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('predicts a CSV file with a saved model', async () => {
    const modelDir = await saveLinearModel('linear-batch', 2);
    const loader = createModelLoader();
    const model = await loader(pathToFileURL(modelDir).href);
    const input = join(dir, 'batch.csv');
    await writeFile(input, 'x\n1\n2\n3\n');
    const output = join(dir, 'batch.json');
    await predictBatch({ model, input, output, contentType: 'csv', chunkRows: 2 });
    const { readFile } = await import('node:fs/promises');
    expect(JSON.parse(await readFile(output, 'utf8'))).toEqual({
      predictions: [{ y: 2 }, { y: 4 }, { y: 6 }],
    });
    await model.close();
  });

  it('follows an alias over registered js_function versions, downloading each and removing the copy after the swap', async () => {
    const registry = createMemoryRegistryStore();
    const tracking = createMemoryTrackingStore();
    await registry.createRegisteredModel({ name: 'linear' });
    for (const weight of [1, 10]) {
      const modelDir = await saveLinearModel(`linear-v${weight}`, weight);
      await registry.createModelVersion({ name: 'linear', source: pathToFileURL(modelDir).href });
    }
    await registry.setRegisteredModelAlias('linear', 'champion', '1');
    const downloads = await mkdtemp(join(tmpdir(), 'cairn-serving-downloads-'));
    // What CairnClient.downloadArtifacts does for a file: source, without the client.
    const download = async (uri: string) => {
      const { artifactUri } = await resolveModelsUri(uri, { registry, tracking });
      const target = await mkdtemp(join(downloads, 'model-'));
      await cp(fileURLToPath(artifactUri), target, { recursive: true });
      return target;
    };
    const server = await serveModel({
      uri: 'models:/linear@champion',
      loader: createModelLoader({ download }),
      resolver: createRegistryVersionResolver({ registry, tracking }),
      pollIntervalMs: 0,
      port: 0,
    });
    const score = async () => {
      const response = await fetch(`${server.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: { x: [2] } }),
      });
      return { version: response.headers.get(modelVersionHeader), body: await response.json() };
    };
    try {
      expect(await score()).toEqual({ version: '1', body: { predictions: [{ y: 2 }] } });
      await registry.setRegisteredModelAlias('linear', 'champion', '2');
      await server.served.refresh();
      expect(await score()).toEqual({ version: '2', body: { predictions: [{ y: 20 }] } });
      // The old copy goes once its model is closed (in the background, after its last request).
      while ((await readdir(downloads)).length > 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await readdir(downloads)).toHaveLength(1);
    } finally {
      await server.close();
    }
    expect(await readdir(downloads)).toHaveLength(0);
    await rm(downloads, { recursive: true, force: true });
  });
});
