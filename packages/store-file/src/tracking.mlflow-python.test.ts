import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFileArtifactStore } from './file-artifact-store.js';
import { createFileTrackingStore } from './file-tracking-store.js';
import { withDirectoryLock } from './fs-io.js';
import { rootLockSuffix } from './mlruns-layout.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: store-file tracking.mlflow-python (MLflow reads an mlruns tree Cairn wrote) — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh)',
  );
}

// Reads a tree with MLflow's own client and prints what it sees as JSON (NaN/Infinity as strings).
const reader = `
import json, math, os, sys
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType
mlflow.set_tracking_uri("file:" + sys.argv[1])  # list_artifacts resolves the store globally
client = MlflowClient("file:" + sys.argv[1])
def num(v):
    if math.isnan(v): return "NaN"
    if math.isinf(v): return "Infinity" if v > 0 else "-Infinity"
    return v
out = {"version": mlflow.__version__, "experiments": []}
for e in client.search_experiments(view_type=ViewType.ALL, order_by=["name ASC"]):
    runs = []
    for r in client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, order_by=["attributes.run_name ASC"]):
        runs.append({
            "run_id": r.info.run_id, "run_name": r.info.run_name, "status": r.info.status,
            "lifecycle_stage": r.info.lifecycle_stage, "start_time": r.info.start_time, "end_time": r.info.end_time,
            "artifact_uri": r.info.artifact_uri,
            "params": r.data.params, "tags": {k: v for k, v in r.data.tags.items()},
            "metrics": {k: num(v) for k, v in r.data.metrics.items()},
            "history": {k: [[m.timestamp, num(m.value), m.step] for m in client.get_metric_history(r.info.run_id, k)] for k in r.data.metrics},
            "datasets": [[d.dataset.name, d.dataset.digest, {t.key: t.value for t in d.tags}] for d in r.inputs.dataset_inputs],
            "artifacts": [[f.path, f.is_dir, f.file_size] for f in client.list_artifacts(r.info.run_id)],
        })
    out["experiments"].append({"id": e.experiment_id, "name": e.name, "stage": e.lifecycle_stage, "tags": e.tags, "runs": runs})
hit = client.search_runs([x["id"] for x in out["experiments"]], "params.lr = '0.01' and metrics.loss < 0.5")
out["search"] = [r.info.run_name for r in hit]
print(json.dumps(out))
`;

// Skipped without a python that has MLflow (it is not a Node dependency); the SKIPPED line above makes CI fail
// loudly instead of passing quietly.
describe.skipIf(python === undefined || python === '')(
  'MLflow 3.18.0 reads an mlruns tree Cairn wrote',
  () => {
    it('sees every experiment, run, param, tag, metric history, dataset and artifact', {
      timeout: 120_000,
    }, async () => {
      const root = join(await mkdtemp(join(tmpdir(), 'cairn-for-mlflow-')), 'mlruns');
      const store = createFileTrackingStore({ root });
      const experimentId = await store.createExperiment({
        name: 'from-cairn',
        tags: [{ key: 'team', value: 'vision' }],
      });
      const parent = await store.createRun({
        experimentId,
        runName: 'parent',
        startTime: 1_700_000_000_000,
        tags: [{ key: 'mlflow.user', value: 'ada' }],
      });
      const runId = parent.info.run_id;
      await store.logBatch({
        runId,
        params: [
          { key: 'lr', value: '0.01' },
          { key: 'nested/key', value: 'x' },
        ],
        tags: [{ key: 'stage', value: 'dev' }],
        metrics: [
          { key: 'loss', value: 1, timestamp: 10, step: 0 },
          { key: 'loss', value: 0.25, timestamp: 20, step: 1 },
          { key: 'odd', value: Number.NaN, timestamp: 10, step: 0 },
          { key: 'odd', value: Number.NEGATIVE_INFINITY, timestamp: 11, step: 1 },
          { key: 'train/acc', value: 0.5, timestamp: 12, step: 2 },
        ],
      });
      await store.logInputs({
        runId,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'numbers',
              digest: 'abc123',
              source_type: 'local',
              source: '{"uri": "/data/n.csv"}',
            },
          },
        ],
      });
      const child = await store.createRun({
        experimentId,
        runName: 'child',
        tags: [{ key: 'mlflow.parentRunId', value: runId }],
      });
      await store.updateRun({ runId: child.info.run_id, status: 'FINISHED', endTime: 1_700_000_009_000 });
      const gone = await store.createRun({ experimentId, runName: 'gone' });
      await store.deleteRun(gone.info.run_id);
      const doomed = await store.createExperiment({ name: 'deleted-by-cairn' });
      const doomedRun = await store.createRun({ experimentId: doomed, runName: 'in-deleted' });
      await store.deleteExperiment(doomed);
      const artifacts = createFileArtifactStore({ root: join(root, experimentId, runId, 'artifacts') });
      await artifacts.put('notes.txt', 'hello from cairn');

      // What a process killed mid-write leaves: temp files beside meta.yaml and beside the run and
      // experiment folders (never inside tags/ or params/). MLflow must read past them.
      const leftover = '~cairn-0123456789ab';
      for (const dir of [root, join(root, experimentId), join(root, experimentId, runId)]) {
        await writeFile(join(dir, leftover), 'half a write');
      }

      // MLflow reads while Cairn holds its locks on the root and on a run (lock folders are in the tree).
      const read = () => promisify(execFile)(python ?? '', ['-c', reader, root], { maxBuffer: 16 << 20 });
      const { stdout } = await withDirectoryLock(
        root,
        () => withDirectoryLock(join(root, experimentId, runId), read),
        rootLockSuffix,
      );
      const seen = JSON.parse(stdout);
      expect(seen.version).toBe('3.18.0');
      const experiment = seen.experiments.find((e: { name: string }) => e.name === 'from-cairn');
      expect(experiment).toMatchObject({ id: experimentId, stage: 'active', tags: { team: 'vision' } });
      expect(seen.experiments.map((e: { name: string }) => e.name)).toContain('Default');
      expect(experiment.runs.map((r: { run_name: string }) => r.run_name)).toEqual([
        'child',
        'gone',
        'parent',
      ]);
      const [childSeen, goneSeen, parentSeen] = experiment.runs;
      expect(parentSeen).toMatchObject({
        run_id: runId,
        status: 'RUNNING',
        lifecycle_stage: 'active',
        start_time: 1_700_000_000_000,
        end_time: null,
        params: { lr: '0.01', 'nested/key': 'x' },
        tags: { stage: 'dev', 'mlflow.user': 'ada', 'mlflow.runName': 'parent' },
        metrics: { loss: 0.25, odd: '-Infinity', 'train/acc': 0.5 },
        history: {
          loss: [
            [10, 1, 0],
            [20, 0.25, 1],
          ],
          odd: [
            [10, 'NaN', 0],
            [11, '-Infinity', 1],
          ],
          'train/acc': [[12, 0.5, 2]],
        },
        datasets: [['numbers', 'abc123', { 'mlflow.data.context': 'training' }]],
        artifacts: [['notes.txt', false, 16]],
      });
      expect(childSeen).toMatchObject({ status: 'FINISHED', end_time: 1_700_000_009_000 });
      expect(childSeen.tags['mlflow.parentRunId']).toBe(runId);
      expect(goneSeen.lifecycle_stage).toBe('deleted');
      const deleted = seen.experiments.find((e: { name: string }) => e.name === 'deleted-by-cairn');
      expect(deleted).toMatchObject({ id: doomed, stage: 'deleted' });
      expect(deleted.runs).toMatchObject([
        { run_id: doomedRun.info.run_id, run_name: 'in-deleted', lifecycle_stage: 'deleted' },
      ]);
      expect(seen.search).toEqual(['parent']);
    });
  },
);
