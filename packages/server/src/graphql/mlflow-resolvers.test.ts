import type { ArtifactStore, RegistryStore, TrackingStore } from '@cairn/core';
import {
  createMemoryArtifactStore,
  createMemoryRegistryStore,
  createMemoryTrackingStore,
} from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../create-server.js';

let app: FastifyInstance;
let tracking: TrackingStore;
let artifacts: ArtifactStore;
let registry: RegistryStore;
afterEach(async () => {
  await app.close();
});

/** A server over fresh memory stores; with the registry unless told otherwise. */
function start(options: { registry?: boolean } = {}) {
  tracking = createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' });
  artifacts = createMemoryArtifactStore({ rootUri: 'memory://graphql-test' });
  registry = createMemoryRegistryStore();
  app = createServer({
    trackingStore: tracking,
    artifactStore: artifacts,
    ...(options.registry === false ? {} : { registryStore: registry }),
  });
}

/** Runs a GraphQL document and returns MLflow's `{data, errors}` answer. */
async function graphql(query: string, variables?: Record<string, unknown>) {
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { data: Record<string, unknown> | null; errors: string[] | null };
}

/** One root field of an answer, which must have data. */
function dataOf<T>(answer: { data: Record<string, unknown> | null }, name: string): T {
  expect(answer.data).not.toBeNull();
  return (answer.data as Record<string, unknown>)[name] as T;
}

async function newRun(experimentName = `exp-${Math.random()}`) {
  const experimentId = await tracking.createExperiment({ name: experimentName });
  const run = await tracking.createRun({ experimentId, startTime: 1_700_000_000_000 });
  return { experimentId, runId: run.info.run_id, run };
}

describe('mlflowGetExperiment', () => {
  it('answers the experiment with int64 times as strings', async () => {
    start();
    const experimentId = await tracking.createExperiment({
      name: 'GraphqlTest',
      tags: [{ key: 'k', value: 'v' }],
    });
    const experiment = await tracking.getExperiment(experimentId);
    const answer = await graphql(
      'query q($input: MlflowGetExperimentInput!) { mlflowGetExperiment(input: $input) { apiError { code } experiment { experimentId name lifecycleStage creationTime tags { key value } } } }',
      { input: { experimentId } },
    );
    expect(answer).toEqual({
      data: {
        mlflowGetExperiment: {
          apiError: null,
          experiment: {
            experimentId,
            name: 'GraphqlTest',
            lifecycleStage: 'active',
            creationTime: String(experiment.creation_time),
            tags: [{ key: 'k', value: 'v' }],
          },
        },
      },
      errors: null,
    });
  });

  it("fails the field with the store's message for an unknown experiment, and names a missing id", async () => {
    start();
    const unknown = await graphql(
      '{ mlflowGetExperiment(input: {experimentId: "123"}) { experiment { name } } }',
    );
    expect(unknown.data).toEqual({ mlflowGetExperiment: null });
    expect(unknown.errors).toEqual([expect.stringContaining('123')]);
    const missing = await graphql('{ mlflowGetExperiment(input: {}) { experiment { name } } }');
    expect(missing.errors).toEqual(["Missing value for required parameter 'experiment_id'."]);
  });
});

describe('mlflowGetRun', () => {
  it('answers info, data, inputs and outputs, with protobuf zero values for unset fields', async () => {
    start();
    const { runId, experimentId } = await newRun();
    await tracking.logBatch({
      runId,
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 't', value: 'x' }],
    });
    await tracking.logInputs({
      runId,
      datasets: [{ tags: [], dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{}' } }],
      models: [{ model_id: 'm-1' }],
    });
    await tracking.logOutputs({ runId, models: [{ model_id: 'm-2', step: 7 }] });
    const answer = await graphql(`{
      mlflowGetRun(input: {runUuid: "${runId}"}) { run {
        info { runId runUuid experimentId status startTime endTime lifecycleStage }
        data { params { key value } tags { key value } }
        inputs { datasetInputs { tags { key } dataset { name digest sourceType source schema profile } } modelInputs { modelId } }
        outputs { modelOutputs { modelId step } }
      } } }`);
    expect(answer.errors).toBeNull();
    const run = dataOf<{ run: Record<string, Record<string, unknown>> }>(answer, 'mlflowGetRun').run;
    expect(run.info).toEqual({
      runId,
      runUuid: runId,
      experimentId,
      status: 'RUNNING',
      startTime: '1700000000000',
      // Unset in MLflow's protobuf message, which reads as 0.
      endTime: '0',
      lifecycleStage: 'active',
    });
    expect(run.data?.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data?.tags).toContainEqual({ key: 't', value: 'x' });
    expect(run.inputs).toEqual({
      datasetInputs: [
        {
          tags: [],
          dataset: { name: 'd', digest: 'abc', sourceType: 'local', source: '{}', schema: '', profile: '' },
        },
      ],
      modelInputs: [{ modelId: 'm-1' }],
    });
    expect(run.outputs).toEqual({ modelOutputs: [{ modelId: 'm-2', step: '7' }] });
  });

  it('answers a NaN metric value as null, keeping its step and timestamp (GraphQL has no NaN)', async () => {
    start();
    const { runId } = await newRun();
    await tracking.logBatch({
      runId,
      metrics: [
        { key: 'normal', value: 123, timestamp: 1, step: 1 },
        { key: 'nan', value: Number.NaN, timestamp: 2, step: 2 },
      ],
    });
    const answer = await graphql(
      `{ mlflowGetRun(input: {runId: "${runId}"}) { run { data { metrics { key value timestamp step } } } } }`,
    );
    expect(answer.errors).toBeNull();
    const metrics = dataOf<{ run: { data: { metrics: unknown[] } } }>(answer, 'mlflowGetRun').run.data
      .metrics;
    expect(metrics).toEqual(
      expect.arrayContaining([
        { key: 'normal', value: 123, timestamp: '1', step: '1' },
        { key: 'nan', value: null, timestamp: '2', step: '2' },
      ]),
    );
  });

  it("resolves the run's experiment and the model versions registered from it", async () => {
    start();
    const { runId } = await newRun('GraphqlTest');
    await registry.createRegisteredModel({ name: 'GraphqlTest' });
    await registry.createModelVersion({ name: 'GraphqlTest', source: 'runs:/x/model', runId });
    const answer = await graphql(`query q @component(name: "Test") {
      mlflowGetRun(input: {runId: "${runId}"}) { run { experiment { name } modelVersions { name version status } } } }`);
    expect(answer).toEqual({
      data: {
        mlflowGetRun: {
          run: {
            experiment: { name: 'GraphqlTest' },
            modelVersions: [{ name: 'GraphqlTest', version: '1', status: 'READY' }],
          },
        },
      },
      errors: null,
    });
  });

  it('answers modelVersions null on a server without a registry, and the rest of the run as usual', async () => {
    start({ registry: false });
    const { runId } = await newRun();
    const answer = await graphql(
      `{ mlflowGetRun(input: {runId: "${runId}"}) { run { info { status } modelVersions { name } } } }`,
    );
    expect(answer).toEqual({
      data: { mlflowGetRun: { run: { info: { status: 'RUNNING' }, modelVersions: null } } },
      errors: null,
    });
  });

  it('fails the field for an unknown run, and names a missing run id', async () => {
    start();
    const unknown = await graphql(
      '{ mlflowGetRun(input: {runId: "ffffffffffffffffffffffffffffffff"}) { run { info { status } } } }',
    );
    expect(unknown.data).toEqual({ mlflowGetRun: null });
    expect(unknown.errors).toHaveLength(1);
    const missing = await graphql('{ mlflowGetRun(input: {}) { run { info { status } } } }');
    expect(missing.errors).toEqual(["Missing value for required parameter 'run_id'."]);
  });
});

describe('mlflowSearchRuns', () => {
  it('answers runs newest first, as a mutation and as a query', async () => {
    start();
    const experimentId = await tracking.createExperiment({ name: 'search' });
    const first = await tracking.createRun({ experimentId, startTime: 1000 });
    const second = await tracking.createRun({ experimentId, startTime: 2000 });
    const expected = [{ info: { runId: second.info.run_id } }, { info: { runId: first.info.run_id } }];
    for (const kind of ['mutation', 'query']) {
      const answer = await graphql(
        `${kind} { mlflowSearchRuns(input: {experimentIds: ["${experimentId}"]}) { runs { info { runId } } nextPageToken } }`,
      );
      expect(answer).toEqual({
        data: { mlflowSearchRuns: { runs: expected, nextPageToken: '' } },
        errors: null,
      });
    }
  });

  it('pages, filters and orders as the REST search does', async () => {
    start();
    const experimentId = await tracking.createExperiment({ name: 'paged' });
    for (const value of [1, 2, 3]) {
      const run = await tracking.createRun({ experimentId });
      await tracking.logBatch({
        runId: run.info.run_id,
        metrics: [{ key: 'acc', value, timestamp: 1, step: 0 }],
      });
    }
    const page = async (pageToken?: string) => {
      const answer = await graphql(
        'query q($input: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $input) { runs { data { metrics { value } } } nextPageToken } }',
        {
          input: {
            experimentIds: [experimentId],
            filter: 'metrics.acc > 1',
            orderBy: ['metrics.acc ASC'],
            maxResults: 1,
            runViewType: 'ACTIVE_ONLY',
            ...(pageToken ? { pageToken } : {}),
          },
        },
      );
      return dataOf<{
        runs: { data: { metrics: { value: number }[] } }[];
        nextPageToken: string;
      }>(answer, 'mlflowSearchRuns');
    };
    const one = await page();
    expect(one.runs[0]?.data.metrics).toEqual([{ value: 2 }]);
    const two = await page(one.nextPageToken);
    expect(two.runs[0]?.data.metrics).toEqual([{ value: 3 }]);
  });

  it('reads each experiment once and the registry once for a page of runs', async () => {
    start();
    const experimentId = await tracking.createExperiment({ name: 'batched' });
    await registry.createRegisteredModel({ name: 'model' });
    const runIds: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const run = await tracking.createRun({ experimentId, startTime: 1000 + index });
      runIds.push(run.info.run_id);
      await registry.createModelVersion({
        name: 'model',
        source: `runs:/${run.info.run_id}/model`,
        runId: run.info.run_id,
      });
    }
    let searches = 0;
    let experimentReads = 0;
    const search = registry.searchModelVersions.bind(registry);
    registry.searchModelVersions = (input) => {
      searches += 1;
      return search(input);
    };
    const getExperiment = tracking.getExperiment.bind(tracking);
    tracking.getExperiment = (id) => {
      experimentReads += 1;
      return getExperiment(id);
    };
    const answer = await graphql(
      `{ mlflowSearchRuns(input: {experimentIds: ["${experimentId}"]}) { runs { info { runId } experiment { name } modelVersions { version runId } } } }`,
    );
    expect(answer.errors).toBeNull();
    const runs = dataOf<{
      runs: { info: { runId: string }; modelVersions: { version: string; runId: string }[] }[];
    }>(answer, 'mlflowSearchRuns').runs;
    expect(runs.map((run) => run.modelVersions)).toEqual(
      [...runIds].reverse().map((runId, index) => [{ version: String(3 - index), runId }]),
    );
    expect({ searches, experimentReads }).toEqual({ searches: 1, experimentReads: 1 });
  });
});

describe('mlflowGetMetricHistoryBulkInterval', () => {
  it('answers the sampled points of the runs, with their run ids', async () => {
    start();
    const { runId } = await newRun();
    await tracking.logBatch({
      runId,
      metrics: Array.from({ length: 10 }, (_, step) => ({
        key: 'metric_0',
        value: step,
        timestamp: 100 + step,
        step,
      })),
    });
    const answer =
      await graphql(`{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["${runId}"], metricKey: "metric_0"}) {
      metrics { key value step timestamp runId } } }`);
    expect(answer.errors).toBeNull();
    const metrics = dataOf<{ metrics: unknown[] }>(answer, 'mlflowGetMetricHistoryBulkInterval').metrics;
    expect(metrics).toEqual(
      Array.from({ length: 10 }, (_, step) => ({
        key: 'metric_0',
        value: step,
        step: String(step),
        timestamp: String(100 + step),
        runId,
      })),
    );
  });

  it('honours startStep, endStep and maxResults', async () => {
    start();
    const { runId } = await newRun();
    await tracking.logBatch({
      runId,
      metrics: Array.from({ length: 10 }, (_, step) => ({ key: 'm', value: step, timestamp: 1, step })),
    });
    const answer =
      await graphql(`{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["${runId}"], metricKey: "m", startStep: 2, endStep: 5, maxResults: 10}) {
      metrics { step } } }`);
    expect(answer.data?.mlflowGetMetricHistoryBulkInterval).toEqual({
      metrics: [{ step: '2' }, { step: '3' }, { step: '4' }, { step: '5' }],
    });
  });

  it("fails the field with MLflow's messages for bad input", async () => {
    start();
    const none = await graphql(
      '{ mlflowGetMetricHistoryBulkInterval(input: {runIds: [], metricKey: "m"}) { metrics { step } } }',
    );
    expect(none.data).toEqual({ mlflowGetMetricHistoryBulkInterval: null });
    expect(none.errors?.[0]).toContain('run_ids');
    const noKey = await graphql(
      '{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["r"]}) { metrics { step } } }',
    );
    expect(noKey.errors).toEqual(["Missing value for required parameter 'metric_key'."]);
    const nullItem = await graphql(
      '{ mlflowGetMetricHistoryBulkInterval(input: {runIds: [null], metricKey: "m"}) { metrics { step } } }',
    );
    expect(nullItem.errors?.[0]).toContain("Invalid value for parameter 'run_ids'");
  });
});

describe('mlflowListArtifacts', () => {
  it("lists a run's artifact directory, sizes as strings and a directory's as 0", async () => {
    start();
    const { run, runId } = await newRun();
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\//u, '');
    await artifacts.put(`${root}/test.txt`, 'hello world');
    await artifacts.put(`${root}/testDir/test.txt`, 'hello world');
    const top = await graphql(
      `{ files: mlflowListArtifacts(input: {runId: "${runId}"}) { rootUri files { path isDir fileSize } } }`,
    );
    expect(top).toEqual({
      data: {
        files: {
          rootUri: run.info.artifact_uri,
          files: [
            { path: 'test.txt', isDir: false, fileSize: '11' },
            { path: 'testDir', isDir: true, fileSize: '0' },
          ],
        },
      },
      errors: null,
    });
    const subdir = await graphql(
      `{ subdir: mlflowListArtifacts(input: {runId: "${runId}", path: "testDir"}) { files { path isDir fileSize } } }`,
    );
    expect(subdir.data).toEqual({
      subdir: { files: [{ path: 'testDir/test.txt', isDir: false, fileSize: '11' }] },
    });
  });

  it('refuses a path that climbs out of the run', async () => {
    start();
    const { runId } = await newRun();
    const answer = await graphql(
      `{ mlflowListArtifacts(input: {runId: "${runId}", path: "../other"}) { files { path } } }`,
    );
    expect(answer.data).toEqual({ mlflowListArtifacts: null });
    expect(answer.errors?.[0]).toContain("'..' segments are not allowed");
  });
});

describe('mlflowSearchDatasets', () => {
  it('lists the datasets runs logged, with an empty context for an input without one', async () => {
    start();
    const { runId, experimentId } = await newRun();
    const dataset = (name: string, digest: string) => ({
      name,
      digest,
      source_type: 'script',
      source: 'test',
    });
    await tracking.logInputs({
      runId,
      datasets: [
        { tags: [], dataset: dataset('test-dataset-1', '12345') },
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: dataset('test-dataset-2', '12346'),
        },
      ],
    });
    const answer =
      await graphql(`mutation { mlflowSearchDatasets(input: {experimentIds: ["${experimentId}"]}) {
      datasetSummaries { experimentId name digest context } } }`);
    expect(answer.errors).toBeNull();
    const summaries = dataOf<{ datasetSummaries: { digest: string }[] }>(
      answer,
      'mlflowSearchDatasets',
    ).datasetSummaries;
    expect([...summaries].sort((a, b) => a.digest.localeCompare(b.digest))).toEqual([
      { experimentId, name: 'test-dataset-1', digest: '12345', context: '' },
      { experimentId, name: 'test-dataset-2', digest: '12346', context: 'training' },
    ]);
  });

  it("fails the field with MLflow's message for no experiment ids", async () => {
    start();
    const answer = await graphql(
      'mutation { mlflowSearchDatasets(input: {experimentIds: []}) { datasetSummaries { name } } }',
    );
    expect(answer).toEqual({
      data: { mlflowSearchDatasets: null },
      errors: ['SearchDatasets request must specify at least one experiment_id.'],
    });
  });
});

describe('mlflowSearchModelVersions', () => {
  it('searches the registry, taking maxResults as a LongString', async () => {
    start();
    await registry.createRegisteredModel({ name: 'm' });
    await registry.createModelVersion({ name: 'm', source: 's3://bucket/one' });
    await registry.createModelVersion({ name: 'm', source: 's3://bucket/two' });
    const answer =
      await graphql(`{ mlflowSearchModelVersions(input: {filter: "name = 'm'", maxResults: "1", orderBy: ["version_number ASC"]}) {
      modelVersions { version source creationTimestamp deploymentJobState { jobId } } nextPageToken } }`);
    expect(answer.errors).toBeNull();
    const result = dataOf<{
      modelVersions: {
        version: string;
        source: string;
        creationTimestamp: string;
        deploymentJobState: unknown;
      }[];
      nextPageToken: string;
    }>(answer, 'mlflowSearchModelVersions');
    expect(result.modelVersions).toEqual([
      {
        version: '1',
        source: 's3://bucket/one',
        creationTimestamp: expect.stringMatching(/^\d+$/u),
        deploymentJobState: { jobId: '' },
      },
    ]);
    expect(result.nextPageToken).not.toBe('');
  });

  it("fails the field with NOT_IMPLEMENTED's message on a server without a registry", async () => {
    start({ registry: false });
    const answer = await graphql('{ mlflowSearchModelVersions(input: {}) { modelVersions { name } } }');
    expect(answer).toEqual({
      data: { mlflowSearchModelVersions: null },
      errors: ['This Cairn server has no model registry.'],
    });
  });
});
