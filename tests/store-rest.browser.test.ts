import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '@cairn/server';
import {
  createMemoryArtifactStore,
  createMemoryRegistryStore,
  createMemoryTrackingStore,
} from '@cairn/store-memory';
import { build, type Plugin } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// @cairn/store-rest bundled for the browser, run in headless Chromium against a Cairn server: the proof
// that nothing on its path needs Node (a `node:` import fails the bundle, a `process` or `Buffer` the page).

const chromiumPath = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.log(
    `SKIPPED: store-rest browser tests — no Chromium at ${chromiumPath} (install it with bash .ci/install-chromium.sh, or set CAIRN_CHROMIUM)`,
  );
}

/** Fails the bundle on any `node:` import, naming the importer. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(builder) {
    // esbuild's filters are Go regular expressions, which know no `u` flag.
    builder.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.importer} imports ${args.path}: @cairn/store-rest must run in browsers` }],
    }));
  },
};

/** Bundles @cairn/store-rest (from source, through the development condition) as one browser script. */
async function bundleStoreRest(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "import * as storeRest from '@cairn/store-rest'; globalThis.storeRest = storeRest;",
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    conditions: ['development'],
    plugins: [noNodeBuiltins],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe.skipIf(!hasChromium)('@cairn/store-rest in a browser', () => {
  let app: FastifyInstance;
  let baseUrl = '';
  let browser: Browser;
  let bundle = '';

  beforeAll(async () => {
    bundle = await bundleStoreRest();
    app = createServer({
      // Artifacts go through the server's proxy, as with `mlflow server --serve-artifacts`.
      trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
      registryStore: createMemoryRegistryStore(),
      artifactStore: createMemoryArtifactStore({ rootUri: 'memory://browser-test' }),
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('bundles without any node: module', () => {
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/require\(["']node:/u);
  });

  it('tracks, stores artifacts through mlflow-artifacts: and reads the registry from a page on the server', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The page is served on the server's own origin, so its fetches are same-origin and need no CORS.
    await page.route(`${baseUrl}/__store-rest-test__/**`, (route) =>
      route.request().url().endsWith('.js')
        ? route.fulfill({ contentType: 'text/javascript', body: bundle })
        : route.fulfill({
            contentType: 'text/html',
            body: '<!doctype html><title>store-rest</title><script src="store-rest.js"></script>',
          }),
    );
    await page.goto(`${baseUrl}/__store-rest-test__/index.html`);
    const result = await page.evaluate(async () => {
      type Module = typeof import('@cairn/store-rest');
      const { restStorePlugin } = (globalThis as unknown as { storeRest: Module }).storeRest;
      const origin = location.origin;
      const context = { trackingUri: origin, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } };
      const tracking = await restStorePlugin.openTracking?.(origin, context);
      const registry = await restStorePlugin.openRegistry?.(origin, context);
      if (tracking === undefined || registry === undefined) throw new Error('no tracking or registry facet');

      const experimentId = await tracking.createExperiment({ name: 'from-chromium' });
      const run = await tracking.createRun({ experimentId, runName: 'in-a-browser' });
      const runId = run.info.run_id;
      await tracking.logBatch({
        runId,
        metrics: [
          { key: 'loss', value: 0.5, timestamp: 1, step: 0 },
          { key: 'loss', value: 0.25, timestamp: 2, step: 1 },
          { key: 'odd', value: Number.NaN, timestamp: 3, step: 0 },
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [{ key: 'where', value: 'chromium' }],
      });

      const artifacts = await restStorePlugin.openArtifacts?.(run.info.artifact_uri, context);
      if (artifacts === undefined) throw new Error('no artifact facet');
      await artifacts.put('notes/hello.txt', 'héllo from chromium');
      await artifacts.put('weights.bin', new Uint8Array([0, 1, 2, 255]));
      // Chromium streams request bodies only over HTTP/2: here the store collects the chunks first.
      await artifacts.put(
        'streamed.bin',
        (async function* () {
          yield new Uint8Array([7, 8]);
          yield new Uint8Array([9]);
        })(),
      );
      const read = async (path: string) => {
        const parts: Uint8Array[] = [];
        for await (const chunk of await artifacts.get(path)) parts.push(chunk);
        return new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
      };

      const found = await tracking.searchRuns({
        experimentIds: [experimentId],
        filter: 'metrics.loss < 0.3',
      });
      const history = await tracking.getMetricHistory({ runId, metricKey: 'loss' });

      await registry.createRegisteredModel({ name: 'browser-model', description: 'made in a page' });
      const version = await registry.createModelVersion({
        name: 'browser-model',
        source: `${run.info.artifact_uri}/model`,
        runId,
      });
      await registry.setRegisteredModelAlias('browser-model', 'champion', version.version);
      const models = await registry.searchRegisteredModels({ filter: "name = 'browser-model'" });
      const byAlias = await registry.getModelVersionByAlias('browser-model', 'champion');

      return {
        artifactUri: run.info.artifact_uri,
        runName: run.info.run_name,
        artifactRoot: await artifacts.list(),
        notes: await artifacts.list('notes'),
        text: new TextDecoder().decode(await read('notes/hello.txt')),
        bytes: [...(await read('weights.bin'))],
        found: found.items.map((item) => ({
          runId: item.info.run_id,
          metrics: item.data.metrics.map((metric) => [metric.key, String(metric.value)]).sort(),
          params: item.data.params,
          tags: item.data.tags.filter((tag) => tag.key === 'where'),
        })),
        runId,
        history: history.items.map((point) => [point.step, point.value]),
        models: models.items.map((model) => ({
          name: model.name,
          description: model.description,
          aliases: model.aliases,
          latest: model.latest_versions.map((latest) => latest.version),
        })),
        byAlias: { version: byAlias.version, runId: byAlias.run_id },
        streamed: [...(await read('streamed.bin'))],
      };
    });

    expect(errors).toEqual([]);
    expect(result.artifactUri).toBe(
      `mlflow-artifacts:/${result.artifactUri.split('/')[1]}/${result.runId}/artifacts`,
    );
    expect(result.runName).toBe('in-a-browser');
    expect(result.artifactRoot).toEqual([
      { path: 'notes', is_dir: true },
      { path: 'streamed.bin', is_dir: false, file_size: 3 },
      { path: 'weights.bin', is_dir: false, file_size: 4 },
    ]);
    expect(result.notes).toEqual([{ path: 'notes/hello.txt', is_dir: false, file_size: 20 }]);
    expect(result.text).toBe('héllo from chromium');
    expect(result.bytes).toEqual([0, 1, 2, 255]);
    expect(result.streamed).toEqual([7, 8, 9]);
    expect(result.found).toEqual([
      {
        runId: result.runId,
        metrics: [
          ['loss', '0.25'],
          ['odd', 'NaN'],
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [{ key: 'where', value: 'chromium' }],
      },
    ]);
    expect(result.history).toEqual([
      [0, 0.5],
      [1, 0.25],
    ]);
    expect(result.models).toEqual([
      {
        name: 'browser-model',
        description: 'made in a page',
        aliases: [{ alias: 'champion', version: '1' }],
        latest: ['1'],
      },
    ]);
    expect(result.byAlias).toEqual({ version: '1', runId: result.runId });
    await page.close();
  }, 60_000);
});
