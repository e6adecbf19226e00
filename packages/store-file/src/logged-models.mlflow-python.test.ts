import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFileTrackingStore } from './file-tracking-store.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: store-file logged-models.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh)',
  );
}

// `read <root>` prints what MLflow's FileStore sees of every logged model; `write <root>` makes one the way
// MLflow does (params, tags, a metric linked through log_batch, finalized READY) and prints its id.
const script = `
import json, os, sys
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
from mlflow.store.tracking.file_store import FileStore
from mlflow.entities import LoggedModelParameter, LoggedModelStatus, LoggedModelTag, Metric, ViewType
mode, root = sys.argv[1], sys.argv[2]
store = FileStore(root)
if mode == "write":
    exp = store.create_experiment("from-mlflow")
    run = store.create_run(exp, "user", 0, [], "run")
    model = store.create_logged_model(exp, name="mlflow-model", source_run_id=run.info.run_id,
        tags=[LoggedModelTag("team", "a")], params=[LoggedModelParameter("lr", "0.1")], model_type="agent")
    store.log_batch(run.info.run_id, metrics=[Metric("acc", 0.75, 100, 0, model_id=model.model_id,
        dataset_name="eval", dataset_digest="abc")], params=[], tags=[])
    store.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    print(json.dumps({"experiment_id": exp, "model_id": model.model_id, "run_id": run.info.run_id}))
else:
    ids = [e.experiment_id for e in store.search_experiments(view_type=ViewType.ALL)]
    out = []
    for m in store.search_logged_models(ids):
        out.append({"model_id": m.model_id, "name": m.name, "status": str(m.status), "experiment_id": m.experiment_id,
            "source_run_id": m.source_run_id, "model_type": m.model_type, "artifact_location": m.artifact_location,
            "params": m.params, "tags": m.tags,
            "metrics": [[x.key, x.value, x.step, x.run_id, x.dataset_name, x.dataset_digest] for x in m.metrics or []]})
    ready = store.search_logged_models(ids, filter_string="status = 'READY' AND params.lr = '0.1'")
    print(json.dumps({"models": out, "ready": [m.model_id for m in ready]}))
`;

async function runPython(mode: 'read' | 'write', root: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(python as string, ['-c', script, mode, root], {
    env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}

describe.skipIf(python === undefined || python === '')(
  'logged models in the mlruns layout, with MLflow 3.18.0',
  () => {
    it('MLflow reads the logged models Cairn wrote: fields, params, tags, linked metrics, deletion', {
      timeout: 120_000,
    }, async () => {
      const root = join(await mkdtemp(join(tmpdir(), 'cairn-models-for-mlflow-')), 'mlruns');
      const store = createFileTrackingStore({ root });
      try {
        const experimentId = await store.createExperiment({ name: 'from-cairn' });
        const run = await store.createRun({ experimentId });
        const runId = run.info.run_id;
        const model = await store.createLoggedModel({
          experimentId,
          name: 'cairn-model',
          sourceRunId: runId,
          modelType: 'agent',
          params: [{ key: 'lr', value: '0.1' }],
          tags: [{ key: 'team', value: 'a' }],
        });
        const modelId = model.info.model_id;
        await store.logBatch({
          runId,
          metrics: [
            { key: 'acc', value: 0.5, timestamp: 100, step: 0, model_id: modelId },
            {
              key: 'acc',
              value: 0.75,
              timestamp: 200,
              step: 1,
              model_id: modelId,
              dataset_name: 'eval',
              dataset_digest: 'abc',
            },
          ],
        });
        await store.finalizeLoggedModel({ modelId, status: 'LOGGED_MODEL_READY' });
        const gone = await store.createLoggedModel({ experimentId, name: 'gone' });
        await store.deleteLoggedModel(gone.info.model_id);

        const seen = (await runPython('read', root)) as {
          models: Record<string, unknown>[];
          ready: string[];
        };
        expect(seen.models).toHaveLength(1);
        expect(seen.models[0]).toMatchObject({
          model_id: modelId,
          name: 'cairn-model',
          status: 'READY',
          experiment_id: experimentId,
          source_run_id: runId,
          model_type: 'agent',
          artifact_location: model.info.artifact_uri,
          params: { lr: '0.1' },
          tags: { team: 'a' },
        });
        const metrics = ((seen.models[0]?.metrics ?? []) as unknown[][]).sort((a, b) =>
          String(a[4]).localeCompare(String(b[4])),
        );
        expect(metrics).toEqual([
          ['acc', 0.75, 1, runId, 'eval', 'abc'],
          ['acc', 0.5, 0, runId, null, null],
        ]);
        expect(seen.ready).toEqual([modelId]);
      } finally {
        await store.close();
      }
    });

    it('Cairn reads a logged model MLflow wrote', { timeout: 120_000 }, async () => {
      const root = join(await mkdtemp(join(tmpdir(), 'mlflow-models-for-cairn-')), 'mlruns');
      const written = (await runPython('write', root)) as {
        experiment_id: string;
        model_id: string;
        run_id: string;
      };
      const store = createFileTrackingStore({ root });
      try {
        const model = await store.getLoggedModel(written.model_id);
        expect(model.info).toMatchObject({
          model_id: written.model_id,
          experiment_id: written.experiment_id,
          name: 'mlflow-model',
          status: 'LOGGED_MODEL_READY',
          source_run_id: written.run_id,
          model_type: 'agent',
          tags: [{ key: 'team', value: 'a' }],
        });
        expect(model.info.artifact_uri).toMatch(new RegExp(`/models/${written.model_id}/artifacts$`, 'u'));
        expect(model.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
        expect(model.data.metrics).toEqual([
          {
            key: 'acc',
            value: 0.75,
            timestamp: 100,
            step: 0,
            run_id: written.run_id,
            model_id: written.model_id,
            dataset_name: 'eval',
            dataset_digest: 'abc',
          },
        ]);
        const found = await store.searchLoggedModels({
          experimentIds: [written.experiment_id],
          filter: "metrics.acc > 0.7 AND tags.team = 'a'",
        });
        expect(found.items.map((item) => item.info.model_id)).toEqual([written.model_id]);
        // Cairn writes into MLflow's model without disturbing it.
        await store.setLoggedModelTags(written.model_id, [{ key: 'checked', value: 'yes' }]);
        const reread = (await runPython('read', root)) as { models: { tags: Record<string, string> }[] };
        expect(reread.models[0]?.tags).toEqual({ team: 'a', checked: 'yes' });
      } finally {
        await store.close();
      }
    });
  },
);
