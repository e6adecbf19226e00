// loadModel of a js_function model: from a local directory, and through a Cairn server by registered alias
// (`models:/<name>@<alias>`: the alias resolved over REST, the files downloaded through the artifact proxy,
// then loaded). Each load is timed alone (load + close, which removes a download), >= 20 times after 3
// warm-ups, and reported as p50/p95. Baseline, with CAIRN_MLFLOW_PYTHON: MLflow 3.18.0's
// `mlflow.pyfunc.load_model` of an equivalent PythonModel (same input example, same artifact file), timed
// inside Python, from a local directory and by alias through the same Cairn server.
// Sizes: CAIRN_BENCH_LOADS (default 30; `--quick` 20), CAIRN_BENCH_ARTIFACT_KB (default 256).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnClient } from '@cairn/client';
import { loadModel, saveModel } from '@cairn/models';
import { createServer } from '@cairn/server';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { fmt, machineLoad, now } from './bench-kit.mjs';

const quick = process.argv.includes('--quick');
const loads = Math.max(20, Number(process.env.CAIRN_BENCH_LOADS ?? (quick ? 20 : 30)));
const artifactKiB = Number(process.env.CAIRN_BENCH_ARTIFACT_KB ?? 256);
const python = process.env.CAIRN_MLFLOW_PYTHON;
const root = mkdtempSync(join(tmpdir(), 'cairn-bench-load-model-'));
const artifact = join(root, 'weights.bin');
writeFileSync(artifact, Buffer.alloc(artifactKiB * 1024, 7));
const example = [{ x: 1, y: 2.5 }];

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
}

async function timeLoads(load) {
  for (let i = 0; i < 3; i += 1) await (await load()).close();
  const samples = [];
  for (let i = 0; i < loads; i += 1) {
    const start = now();
    const model = await load();
    await model.close();
    samples.push(now() - start);
  }
  return percentiles(samples);
}

const model = {
  predict(input) {
    return input.rows.map((row) => row[0] + row[1]);
  },
};

const pythonScript = `
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import mlflow
mode, artifact, loads = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Adder(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.size = os.path.getsize(context.artifacts["weights"])
    def predict(self, context, model_input, params=None):
        return model_input["x"] + model_input["y"]
import pandas as pd
example = pd.DataFrame({"x": [1], "y": [2.5]})
if mode == "local":
    path = sys.argv[4]
    mlflow.pyfunc.save_model(path, python_model=Adder(), artifacts={"weights": artifact}, input_example=example)
    uri = path
else:
    with mlflow.start_run():
        mlflow.pyfunc.log_model(name="model", python_model=Adder(), artifacts={"weights": artifact},
                                input_example=example, registered_model_name="PyAdder")
    mlflow.MlflowClient().set_registered_model_alias("PyAdder", "champion", "1")
    uri = "models:/PyAdder@champion"
for _ in range(3):
    mlflow.pyfunc.load_model(uri)
samples = []
for _ in range(loads):
    start = time.perf_counter()
    mlflow.pyfunc.load_model(uri)
    samples.append((time.perf_counter() - start) * 1000)
print(json.dumps(samples))
`;

async function mlflowLoads(mode, env, extra = []) {
  const { stdout } = await promisify(execFile)(
    python,
    ['-c', pythonScript, mode, artifact, String(loads), ...extra],
    {
      env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', ...env },
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const lines = stdout.trim().split('\n');
  return percentiles(JSON.parse(lines[lines.length - 1]));
}

const rows = [];
try {
  const dir = join(root, 'model');
  await saveModel(dir, { model, artifacts: { weights: artifact }, inputExample: example });
  rows.push(['js_function, local directory', await timeLoads(() => loadModel(dir))]);
  if (python)
    rows.push(['MLflow pyfunc, local directory', await mlflowLoads('local', {}, [join(root, 'py-model')])]);

  const app = createServer({
    trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
    registryStore: createMemoryRegistryStore(),
    artifactStore: createFileArtifactStore({ root: join(root, 'served') }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new CairnClient({ trackingUri: url, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
  try {
    await client.logModel({
      model,
      experimentId: '0',
      artifacts: { weights: artifact },
      inputExample: example,
      registeredModelName: 'Adder',
    });
    await (await client.registryStore()).setRegisteredModelAlias('Adder', 'champion', '1');
    rows.push([
      'js_function, models:/Adder@champion via server',
      await timeLoads(() => client.loadModel('models:/Adder@champion')),
    ]);
    if (python) {
      rows.push([
        'MLflow pyfunc, models:/PyAdder@champion via the same server',
        await mlflowLoads('server', { MLFLOW_TRACKING_URI: url }),
      ]);
    }
  } finally {
    await client.close();
    await app.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

console.log(
  `loadModel, ${loads} loads each after 3 warm-ups, artifact ${fmt(artifactKiB)} KiB; ${machineLoad()}`,
);
console.log(`${'load'.padEnd(60)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
for (const [name, { p50, p95 }] of rows) {
  console.log(`${name.padEnd(60)} ${fmt(p50, 1).padStart(9)} ${fmt(p95, 1).padStart(9)}`);
}
const ratio = (cairn, mlflow) => {
  const a = rows.find(([name]) => name === cairn)?.[1];
  const b = rows.find(([name]) => name === mlflow)?.[1];
  if (a && b)
    console.log(
      `${cairn} vs ${mlflow}: p50 ${fmt(b.p50 / a.p50, 1)}x faster, p95 ${fmt(b.p95 / a.p95, 1)}x faster`,
    );
};
if (python) {
  ratio('js_function, local directory', 'MLflow pyfunc, local directory');
  ratio(
    'js_function, models:/Adder@champion via server',
    'MLflow pyfunc, models:/PyAdder@champion via the same server',
  );
} else {
  console.log('baseline: set CAIRN_MLFLOW_PYTHON to measure MLflow 3.18.0 pyfunc.load_model beside these');
}
