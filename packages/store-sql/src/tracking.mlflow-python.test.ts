import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Metric, TrackingStore } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';

const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const python = process.env.CAIRN_MLFLOW_PYTHON;
const hasPython = python !== undefined && python !== '';
if (!hasPython) {
  console.log(
    'SKIPPED: store-sql MLflow 3.18.0 reads a database Cairn wrote — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh | tail -1)',
  );
}

type Number_ = number | 'NaN' | 'Infinity' | '-Infinity';
interface ExpectedRun {
  run_id: string;
  run_name: string;
  status: string;
  lifecycle_stage: string;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, Number_>;
  history: Record<string, [number, number, Number_][]>;
}
interface Expected {
  experiments: {
    experiment_id: string;
    name: string;
    artifact_location: string;
    lifecycle_stage: string;
    tags: Record<string, string>;
    runs: ExpectedRun[];
  }[];
}

/** JSON has no NaN or Infinity; the fixture spells them as strings. */
const wire = (value: number): Number_ => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
};
const toRecord = (entries: { key: string; value: string }[]) =>
  Object.fromEntries(entries.map((entry) => [entry.key, entry.value]));

/**
 * MLflow stores +/-Infinity as +/-1.7976931348623157e308 and hands that number back; Cairn turns it back
 * into Infinity (the only way to store the largest double is as that clamp), so its view differs there alone.
 */
const largestDouble = 1.7976931348623157e308;
const unclamp = (value: Number_): Number_ =>
  value === largestDouble ? 'Infinity' : value === -largestDouble ? '-Infinity' : value;
const asCairnSeesIt = (run: ExpectedRun): ExpectedRun => ({
  ...run,
  metrics: Object.fromEntries(Object.entries(run.metrics).map(([key, value]) => [key, unclamp(value)])),
  history: Object.fromEntries(
    Object.entries(run.history).map(([key, points]) => [
      key,
      points.map(([timestamp, step, value]): [number, number, Number_] => [timestamp, step, unclamp(value)]),
    ]),
  ),
});

let store: TrackingStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('store-sql reads a database MLflow 3.18.0 wrote', () => {
  it('sees every experiment, run, param, tag, latest metric and metric history as MLflow does', async () => {
    // A copy: opening switches the file to WAL mode, and the fixture must stay as MLflow wrote it.
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-fixture-')), 'mlflow.db');
    await copyFile(join(fixtures, 'mlflow-3.18.0.db'), path);
    const expected = JSON.parse(await readFile(join(fixtures, 'expected.json'), 'utf8')) as Expected;
    store = createSqlTrackingStore({ uri: `sqlite:///${path}`, createSchema: false });

    const all = await store.searchExperiments({ viewType: 'ALL', orderBy: ['name ASC'] });
    expect(all.items.map((experiment) => experiment.name)).toEqual(expected.experiments.map((e) => e.name));
    for (const want of expected.experiments) {
      const experiment = await store.getExperiment(want.experiment_id);
      expect({
        experiment_id: experiment.experiment_id,
        name: experiment.name,
        artifact_location: experiment.artifact_location,
        lifecycle_stage: experiment.lifecycle_stage,
        tags: toRecord(experiment.tags),
      }).toEqual({ ...want, runs: undefined, tags: want.tags });
      const runs = await store.searchRuns({
        experimentIds: [want.experiment_id],
        runViewType: 'ALL',
        orderBy: ['attributes.run_name ASC'],
      });
      const seen = [];
      for (const run of runs.items) {
        const history: Record<string, [number, number, Number_][]> = {};
        for (const latest of run.data.metrics) {
          const points = await store.getMetricHistory({ runId: run.info.run_id, metricKey: latest.key });
          history[latest.key] = points.items.map((point: Metric) => [
            point.timestamp,
            point.step,
            wire(point.value),
          ]);
        }
        seen.push({
          run_id: run.info.run_id,
          run_name: run.info.run_name,
          status: run.info.status,
          lifecycle_stage: run.info.lifecycle_stage,
          start_time: run.info.start_time,
          end_time: run.info.end_time ?? null,
          artifact_uri: run.info.artifact_uri,
          params: toRecord(run.data.params),
          tags: toRecord(run.data.tags),
          metrics: Object.fromEntries(run.data.metrics.map((metric) => [metric.key, wire(metric.value)])),
          history,
        });
      }
      expect(seen).toEqual(want.runs.map(asCairnSeesIt));
    }
  });

  it('finds the fixture runs with a pushed-down filter MLflow would accept', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-fixture-')), 'mlflow.db');
    await copyFile(join(fixtures, 'mlflow-3.18.0.db'), path);
    store = createSqlTrackingStore({ uri: `sqlite:///${path}`, createSchema: false });
    const vision = await store.getExperimentByName('vision');
    const page = await store.searchRuns({
      experimentIds: [vision?.experiment_id ?? ''],
      filter: "params.lr = '0.01' AND metrics.loss < 0.5",
    });
    expect(page.items.map((run) => run.info.run_name)).toEqual(['resnet-a']);
  });
});

// Reads a database with MLflow's own client and prints what it sees as JSON.
const reader = `
import json, math, sys
from mlflow import MlflowClient
from mlflow.entities import ViewType
client = MlflowClient("sqlite:///" + sys.argv[1])
def num(v):
    if math.isnan(v): return "NaN"
    if math.isinf(v): return "Infinity" if v > 0 else "-Infinity"
    return v
out = []
for e in client.search_experiments(view_type=ViewType.ALL, order_by=["name ASC"]):
    runs = []
    for r in client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, order_by=["attributes.run_name ASC"]):
        runs.append({
            "run_name": r.info.run_name, "status": r.info.status, "lifecycle_stage": r.info.lifecycle_stage,
            "start_time": r.info.start_time, "end_time": r.info.end_time, "params": r.data.params,
            "tags": {k: v for k, v in r.data.tags.items()},
            "metrics": {k: num(v) for k, v in r.data.metrics.items()},
            "history": {k: [[m.timestamp, m.step, num(m.value)] for m in client.get_metric_history(r.info.run_id, k)] for k in r.data.metrics},
            "datasets": [[d.dataset.name, d.dataset.digest, {t.key: t.value for t in d.tags}] for d in r.inputs.dataset_inputs],
        })
    out.append({"name": e.name, "stage": e.lifecycle_stage, "tags": e.tags, "runs": runs})
hit = client.search_runs([e.experiment_id for e in client.search_experiments()], "params.lr = '0.01' and metrics.loss < 0.5")
print(json.dumps({"experiments": out, "search": [r.info.run_name for r in hit]}))
`;

describe.skipIf(!hasPython)('MLflow 3.18.0 reads a database Cairn wrote', () => {
  it('sees every experiment, run, param, tag, metric history and dataset', { timeout: 180_000 }, async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-for-mlflow-')), 'cairn.db');
    store = createSqlTrackingStore({ uri: `sqlite:///${path}`, artifactRoot: 'file:///tmp/cairn-artifacts' });
    const experimentId = await store.createExperiment({
      name: 'from-cairn',
      tags: [{ key: 'team', value: 'vision' }],
    });
    const run = await store.createRun({ experimentId, runName: 'alpha', startTime: 1_700_000_000_000 });
    const runId = run.info.run_id;
    await store.logBatch({
      runId,
      params: [{ key: 'lr', value: '0.01' }],
      tags: [{ key: 'note', value: 'hello' }],
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 1_700_000_000_000, step: 0 },
        { key: 'loss', value: 0.4, timestamp: 1_700_000_001_000, step: 1 },
        { key: 'odd', value: Number.NaN, timestamp: 1_700_000_000_000, step: 0 },
        { key: 'big', value: Number.POSITIVE_INFINITY, timestamp: 1_700_000_000_000, step: 0 },
      ],
    });
    await store.logInputs({
      runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: {
            name: 'digits',
            digest: 'abc123',
            source_type: 'local',
            source: '{"uri": "/data/digits"}',
          },
        },
      ],
    });
    await store.updateRun({ runId, status: 'FINISHED', endTime: 1_700_000_060_000 });
    const gone = await store.createRun({ experimentId, runName: 'beta', startTime: 1_700_000_000_500 });
    await store.deleteRun(gone.info.run_id);
    await store.close();
    store = undefined;

    const { stdout } = await promisify(execFile)(python as string, ['-c', reader, path], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const seen = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(seen.search).toEqual(['alpha']);
    expect(seen.experiments.map((experiment: { name: string }) => experiment.name)).toEqual([
      'Default',
      'from-cairn',
    ]);
    const [alpha, beta] = seen.experiments[1].runs;
    expect(seen.experiments[1].tags).toEqual({ team: 'vision' });
    expect(alpha).toEqual({
      run_name: 'alpha',
      status: 'FINISHED',
      lifecycle_stage: 'active',
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_060_000,
      params: { lr: '0.01' },
      tags: { note: 'hello', 'mlflow.runName': 'alpha' },
      // MLflow reads back the clamp it (and Cairn, for compatibility) stores for Infinity.
      metrics: { loss: 0.4, odd: 'NaN', big: 1.7976931348623157e308 },
      history: {
        loss: [
          [1_700_000_000_000, 0, 0.9],
          [1_700_000_001_000, 1, 0.4],
        ],
        odd: [[1_700_000_000_000, 0, 'NaN']],
        big: [[1_700_000_000_000, 0, 1.7976931348623157e308]],
      },
      datasets: [['digits', 'abc123', { 'mlflow.data.context': 'training' }]],
    });
    expect(beta).toMatchObject({ run_name: 'beta', lifecycle_stage: 'deleted' });
  });
});

// Reads every logged model with MLflow's SqlAlchemyStore, then creates one of its own, and prints both.
const modelReader = `
import json, sys
from mlflow import MlflowClient
from mlflow.entities import LoggedModelStatus, Metric, ViewType
client = MlflowClient("sqlite:///" + sys.argv[1])
store = client._tracking_client.store
ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
def view(m):
    return {"model_id": m.model_id, "name": m.name, "status": str(m.status), "experiment_id": m.experiment_id,
        "source_run_id": m.source_run_id, "model_type": m.model_type, "artifact_location": m.artifact_location,
        "params": m.params, "tags": m.tags,
        "metrics": sorted([[x.key, x.value, x.step, x.run_id, x.dataset_name] for x in m.metrics or []], key=str)}
seen = [view(m) for m in client.search_logged_models(ids)]
ready = [m.model_id for m in client.search_logged_models(ids, filter_string="status = 'READY' AND metrics.acc > 0.6")]
outputs = {}
for e in ids:
    for r in client.search_runs([e], run_view_type=ViewType.ALL):
        outputs[r.info.run_id] = [o.model_id for o in r.outputs.model_outputs]
exp = client.create_experiment("from-mlflow")
run = client.create_run(exp)
made = client.create_logged_model(exp, name="mlflow-model", source_run_id=run.info.run_id, params={"lr": "0.2"}, tags={"team": "b"})
client.log_batch(run.info.run_id, metrics=[Metric("acc", 0.8, 5, 0, model_id=made.model_id)])
client.finalize_logged_model(made.model_id, LoggedModelStatus.READY)
print(json.dumps({"models": seen, "ready": ready, "outputs": outputs,
    "made": {"model_id": made.model_id, "experiment_id": exp, "run_id": run.info.run_id}}))
`;

describe.skipIf(!hasPython)('MLflow 3.18.0 and Cairn share logged models in one SQLite database', () => {
  it('each reads the logged models, params, tags, metrics and run outputs the other wrote', {
    timeout: 180_000,
  }, async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-sql-models-')), 'cairn.db');
    store = createSqlTrackingStore({ uri: `sqlite:///${path}`, artifactRoot: 'mlflow-artifacts:' });
    const experimentId = await store.createExperiment({ name: 'from-cairn' });
    const runId = (await store.createRun({ experimentId })).info.run_id;
    const model = await store.createLoggedModel({
      experimentId,
      name: 'cairn-model',
      sourceRunId: runId,
      modelType: 'agent',
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'a' }],
    });
    const modelId = model.info.model_id;
    await store.logOutputs({ runId, models: [{ model_id: modelId, step: 0 }] });
    await store.logBatch({
      runId,
      metrics: [
        { key: 'acc', value: 0.7, timestamp: 100, step: 0, model_id: modelId },
        {
          key: 'acc',
          value: 0.9,
          timestamp: 200,
          step: 1,
          model_id: modelId,
          dataset_name: 'eval',
          dataset_digest: 'd1',
        },
      ],
    });
    await store.finalizeLoggedModel({ modelId, status: 'LOGGED_MODEL_READY' });
    const gone = await store.createLoggedModel({ experimentId, name: 'gone' });
    await store.deleteLoggedModel(gone.info.model_id);
    await store.close();
    store = undefined;

    const { stdout } = await promisify(execFile)(python as string, ['-c', modelReader, path], {
      env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const seen = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(seen.models).toEqual([
      {
        model_id: modelId,
        name: 'cairn-model',
        status: 'READY',
        experiment_id: experimentId,
        source_run_id: runId,
        model_type: 'agent',
        artifact_location: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
        params: { lr: '0.1' },
        tags: { team: 'a' },
        metrics: [
          ['acc', 0.7, 0, runId, null],
          ['acc', 0.9, 1, runId, 'eval'],
        ],
      },
    ]);
    expect(seen.ready).toEqual([modelId]);
    expect(seen.outputs[runId]).toEqual([modelId]);

    store = createSqlTrackingStore({ uri: `sqlite:///${path}` });
    const made = seen.made as { model_id: string; experiment_id: string; run_id: string };
    const read = await store.getLoggedModel(made.model_id);
    expect(read.info).toMatchObject({
      name: 'mlflow-model',
      status: 'LOGGED_MODEL_READY',
      experiment_id: made.experiment_id,
      source_run_id: made.run_id,
      tags: [{ key: 'team', value: 'b' }],
    });
    expect(read.data.params).toEqual([{ key: 'lr', value: '0.2' }]);
    expect(read.data.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 5, step: 0, model_id: made.model_id, run_id: made.run_id },
    ]);
    const found = await store.searchLoggedModels({
      experimentIds: [experimentId, made.experiment_id],
      orderBy: [{ fieldName: 'metrics.acc', ascending: false }],
    });
    expect(found.items.map((item) => item.info.model_id)).toEqual([modelId, made.model_id]);
  });
});
