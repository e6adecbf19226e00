import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createRestArtifactStore } from './rest-artifact-store.js';
import { createRestRegistryStore } from './rest-registry-store.js';
import { createRestTrackingStore } from './rest-tracking-store.js';
import { createRestTransport } from './rest-transport.js';

/** A transport whose server answers every request with `body`. */
const answering = (body: unknown) =>
  createRestTransport({
    baseUrl: 'http://server.test',
    maxRetries: 0,
    fetch: (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch,
  });

const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((error: unknown) => error);

const wireRun = {
  info: {
    run_id: 'r1',
    run_uuid: 'r1',
    run_name: 'bold-fox',
    experiment_id: '1',
    user_id: 'ann',
    status: 'FINISHED',
    start_time: '1700000000000',
    end_time: 1700000000500,
    artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
    lifecycle_stage: 'active',
    a_field_from_a_newer_mlflow: { nested: true },
  },
  data: { metrics: [{ key: 'loss', value: 'NaN', timestamp: '1700000000001' }], params: [{ key: 'lr' }] },
  inputs: {},
  another_new_field: 1,
};

describe('REST responses parsed with the wire schemas of @cairn/core/wire', () => {
  it('reads a good run: int64 strings, NaN, omitted lists and steps, unknown fields dropped', async () => {
    const store = createRestTrackingStore({ transport: answering({ run: wireRun }) });
    expect(await store.getRun('r1')).toEqual({
      info: {
        run_id: 'r1',
        run_uuid: 'r1',
        run_name: 'bold-fox',
        experiment_id: '1',
        user_id: 'ann',
        status: 'FINISHED',
        start_time: 1700000000000,
        end_time: 1700000000500,
        artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
        lifecycle_stage: 'active',
      },
      data: {
        metrics: [{ key: 'loss', value: Number.NaN, timestamp: 1700000000001, step: 0 }],
        params: [{ key: 'lr', value: '' }],
        tags: [],
      },
      inputs: { dataset_inputs: [] },
    });
  });

  it('names the RPC and the field of a malformed run instead of failing later with a TypeError', async () => {
    const store = createRestTrackingStore({
      transport: answering({ run: { ...wireRun, info: { ...wireRun.info, run_id: 42 } } }),
    });
    const error = await failure(store.getRun('r1'));
    expect(CairnError.isInstance(error) && error.code).toBe('INTERNAL_ERROR');
    expect((error as Error).message).toBe(
      'GET /api/2.0/mlflow/runs/get answered a malformed body: run.info.run_id: expected string, got number',
    );
    expect((error as CairnError).details).toMatchObject({ field: 'run.info.run_id' });
  });

  it('names a field deep in a list, and a missing one', async () => {
    const badMetric = { ...wireRun, data: { metrics: [{ key: 'loss', value: {}, timestamp: 1 }] } };
    const search = createRestTrackingStore({ transport: answering({ runs: [wireRun, badMetric] }) });
    expect(((await failure(search.searchRuns({ experimentIds: ['1'] }))) as Error).message).toMatch(
      /^POST \/api\/2\.0\/mlflow\/runs\/search answered a malformed body: runs\[1\]\.data\.metrics\[0\]\.value: /u,
    );
    const experiment = createRestTrackingStore({ transport: answering({ experiment: { name: 'x' } }) });
    expect(((await failure(experiment.getExperiment('1'))) as Error).message).toBe(
      'GET /api/2.0/mlflow/experiments/get answered a malformed body: experiment.experiment_id: expected string, but it is missing',
    );
  });

  it('reads registry answers with omitted lists and string timestamps, and names a malformed one', async () => {
    const good = createRestRegistryStore({
      transport: answering({
        registered_models: [
          {
            name: 'm',
            creation_timestamp: '5',
            latest_versions: [{ name: 'm', version: 1, status: 'READY' }],
          },
        ],
        next_page_token: 'tok',
        newer_field: [],
      }),
    });
    const page = await good.searchRegisteredModels({});
    expect(page.nextPageToken).toBe('tok');
    expect(page.items[0]).toMatchObject({
      name: 'm',
      creation_timestamp: 5,
      tags: [],
      aliases: [],
      latest_versions: [{ name: 'm', version: '1', tags: [], aliases: [], status: 'READY' }],
    });
    const bad = createRestRegistryStore({ transport: answering({ model_version: { version: '1' } }) });
    expect(((await failure(bad.getModelVersion('m', '1'))) as Error).message).toBe(
      'GET /api/2.0/mlflow/model-versions/get answered a malformed body: model_version.name: expected string, but it is missing',
    );
  });

  it('reads an artifact listing (a file without file_size is empty) and names a malformed one', async () => {
    const listing = {
      root_uri: 'x',
      files: [
        { path: 'b.txt', is_dir: false },
        { path: 'a', is_dir: true },
      ],
    };
    const store = createRestArtifactStore({
      transport: answering(listing),
      prefix: '1/r',
      rootUri: 'mlflow-artifacts:/1/r',
    });
    expect(await store.list()).toEqual([
      { path: 'a', is_dir: true },
      { path: 'b.txt', is_dir: false, file_size: 0 },
    ]);
    const bad = createRestArtifactStore({
      transport: answering({ files: 'nope' }),
      prefix: '1/r',
      rootUri: 'mlflow-artifacts:/1/r',
    });
    expect(((await failure(bad.list())) as Error).message).toBe(
      'GET /api/2.0/mlflow-artifacts/artifacts answered a malformed body: files: expected array, got string',
    );
  });
});
