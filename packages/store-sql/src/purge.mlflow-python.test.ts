import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqlTrackingStore } from './sql-tracking-store.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
const hasPython = python !== undefined && python !== '';
if (!hasPython) {
  console.log(
    'SKIPPED: store-sql purging an experiment MLflow 3.18.0 wrote — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh | tail -1)',
  );
}

/** Two experiments MLflow fills alike (a run with param, metric, tag, dataset input, logged model; a trace), then deletes the first. */
const seed = `
import sys, json, warnings, logging
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
import numpy as np
import mlflow
mlflow.set_tracking_uri(sys.argv[1])
ids = {}
for name in ["gone", "kept"]:
    exp = mlflow.create_experiment(name, tags={"team": name})
    ids[name] = exp
    mlflow.set_experiment(experiment_id=exp)
    with mlflow.start_run() as run:
        ids[name + "_run"] = run.info.run_id
        mlflow.log_param("p", "1")
        mlflow.log_metric("m", 1.0, step=0)
        mlflow.set_tag("t", "v")
        mlflow.log_input(mlflow.data.from_numpy(np.array([[1, 2]]), name="d-" + name), context="train")
        model = mlflow.initialize_logged_model(name="model-" + name, experiment_id=exp)
        mlflow.log_metric("acc", 0.5, model_id=model.model_id)

    @mlflow.trace
    def f(x):
        return x + 1
    f(1)
mlflow.flush_trace_async_logging()
mlflow.delete_experiment(ids["gone"])
print(json.dumps(ids))
`;

/** What MLflow sees afterwards, through its public API. */
const reader = `
import sys, json, warnings, logging
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
import mlflow
from mlflow.entities import ViewType
mlflow.set_tracking_uri(sys.argv[1])
client = mlflow.MlflowClient()
kept = sys.argv[2]
exps = client.search_experiments(view_type=ViewType.ALL)
runs = mlflow.search_runs([e.experiment_id for e in exps], run_view_type=ViewType.ALL, output_format="list")
print(json.dumps({
    "experiments": sorted(e.name for e in exps),
    "runs": [r.info.run_id for r in runs],
    "datasets": [i.dataset.name for r in runs for i in r.inputs.dataset_inputs],
    "traces": len(mlflow.search_traces(locations=[kept], return_type="list")),
    "models": [m.name for m in mlflow.search_logged_models(experiment_ids=[kept], output_format="list")],
}))
`;

const counts = (path: string) => {
  const database = new Database(path, { readonly: true });
  try {
    const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (database.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    database.close();
  }
};

describe.skipIf(!hasPython)('store-sql purges an experiment MLflow 3.18.0 wrote', () => {
  it('removes every row of it (runs, inputs, datasets, traces, logged models, tags) and nothing of the other; MLflow reads the rest', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-purge-mlflow-')), 'mlflow.db');
    const uri = `sqlite:///${path}`;
    const run = (script: string, ...args: string[]) =>
      promisify(execFile)(python as string, ['-c', script, uri, ...args], { maxBuffer: 16 * 1024 * 1024 });
    const ids = JSON.parse((await run(seed)).stdout.trim().split('\n').pop() as string) as Record<
      string,
      string
    >;
    const before = counts(path);
    for (const table of [
      'runs',
      'inputs',
      'datasets',
      'trace_info',
      'spans',
      'logged_models',
      'experiment_tags',
    ])
      expect(before[table], table).toBeGreaterThan(0);

    const store = createSqlTrackingStore({ uri, createSchema: false });
    try {
      await store.purgeExperiment(ids.gone as string);
    } finally {
      await store.close();
    }

    // The two experiments were filled alike, so every table keeps exactly the kept half of its rows.
    const after = counts(path);
    for (const [table, count] of Object.entries(before)) {
      if (table === 'experiments') expect(after[table], table).toBe(count - 1);
      else if (['alembic_version', 'workspaces'].includes(table)) expect(after[table], table).toBe(count);
      else expect(after[table], table).toBe(count / 2);
    }
    const seen = JSON.parse(
      (await run(reader, ids.kept as string)).stdout.trim().split('\n').pop() as string,
    );
    expect(seen).toEqual({
      experiments: ['Default', 'kept'],
      runs: [ids.kept_run],
      datasets: ['d-kept'],
      traces: 1,
      models: ['model-kept'],
    });
  }, 120_000);
});
