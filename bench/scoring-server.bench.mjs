// Cairn's scoring server (`cairn models serve`) against MLflow's (`mlflow models serve --env-manager local`),
// one after the other on this machine, serving the same model, driven by the same load generator (Node fetch,
// keep-alive, 4 clients):
//   1. single-row requests and 2. 100-row requests (`dataframe_split`): requests/s, rows/s, p50 and p99 latency;
//      every answer is checked (status 200, one prediction per row);
//   3. alias swap under load: Cairn serving `models:/bench-linear@champion` (SQLite registry, 200 ms polling)
//      while the alias moves between two versions every 2 s: requests failed (must be 0), swaps seen, and answers
//      whose prediction disagrees with the version header (must be 0).
// The model: CAIRN_BENCH_MODEL_DIR if set (a directory both can serve, e.g. the ONNX sklearn model once
// @cairn/onnx is installed; its input columns from CAIRN_BENCH_MODEL_COLUMNS, comma-separated), else a linear
// model over 10 double columns saved twice: as a js_function model for Cairn and as its Python twin (a pyfunc
// PythonModel with the same weights, written by CAIRN_MLFLOW_PYTHON) for MLflow.
// Every throughput is a warm-up, then repetitions of a fixed duration (20 s x 3 by default), printed as
// median (min-max) with the machine's load. Needs built packages (apps/cli/dist) and, for MLflow's column,
// CAIRN_MLFLOW_PYTHON. `--quick`: 3 s x 1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCairnClient } from '@cairn/client';
import { saveModel } from '@cairn/models';
import {
  fmt,
  forSeconds,
  freePort,
  machineLoad,
  measurementPlan,
  measureRate,
  now,
  printTable,
  spreadText,
  stopServer,
} from './bench-kit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cairnCli = join(here, '..', 'apps', 'cli', 'dist', 'cli.js');
const plan = measurementPlan();
const clients = 4;
const python = process.env.CAIRN_MLFLOW_PYTHON;
const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-scoring-'));
const weights = Array.from({ length: 10 }, (_, index) => (index + 1) / 10);
const defaultColumns = weights.map((_, index) => `f${index}`);

/** The js_function model: y = w . x + bias, over the frame's columns f0..f9. */
async function saveJsModel(path, bias) {
  const source = join(dir, `linear-${bias}.mjs`);
  writeFileSync(
    source,
    `const weights = ${JSON.stringify(weights)};
export default (input) => {
  const at = weights.map((_, index) => input.columns.indexOf('f' + index));
  return { kind: 'dataframe', columns: ['y'], rows: input.rows.map((row) => [at.reduce((sum, column, index) => sum + row[column] * weights[index], ${bias})]) };
};
`,
  );
  await saveModel(path, { model: { module: source } });
}

/** The same model for MLflow: a pyfunc PythonModel with the same weights (numpy dot product over the frame). */
function savePythonTwin(path) {
  const script = `
import sys, mlflow, numpy as np, pandas as pd
class Linear(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        weights = np.array(${JSON.stringify(weights)})
        values = model_input[[f"f{i}" for i in range(10)]].to_numpy(dtype=float)
        return pd.DataFrame({"y": values @ weights})
mlflow.pyfunc.save_model(sys.argv[1], python_model=Linear())
`;
  const result = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`saving the Python twin failed: ${result.stderr}`);
}

function startProcess(command, args, env = {}) {
  return spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
}

async function waitForPing(base, child, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server at ${base} did not answer /ping: ${stderr}`);
}

async function startCairn(modelUri, extra = [], env = {}) {
  const port = await freePort();
  const child = startProcess(
    process.execPath,
    [cairnCli, 'models', 'serve', '-m', modelUri, '-p', String(port), ...extra],
    env,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForPing(base, child);
  return { base, child, label: 'Cairn (1 process)' };
}

async function startMlflow(modelDir) {
  const port = await freePort();
  // mlflow runs `uvicorn` from PATH: the venv's bin first.
  const child = startProcess(
    join(dirname(python), 'mlflow'),
    ['models', 'serve', '-m', modelDir, '--env-manager', 'local', '-p', String(port), '-h', '127.0.0.1'],
    { PATH: `${dirname(python)}:${process.env.PATH}`, MLFLOW_DISABLE_TELEMETRY: 'true' },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForPing(base, child);
  return { base, child, label: 'MLflow 3.18.0 (uvicorn, 1 worker)' };
}

/** A dataframe_split body of `rows` rows over `columns`. */
function body(columns, rows, seed) {
  const data = Array.from({ length: rows }, (_, row) =>
    columns.map((_, column) => ((seed + row * 7 + column) % 100) / 10),
  );
  return JSON.stringify({ dataframe_split: { columns, data } });
}

/** Throughput and latency of `rows`-row requests against a server. */
async function measureScoring(server, columns, rows) {
  const bodies = Array.from({ length: 50 }, (_, seed) => body(columns, rows, seed));
  let latencies = [];
  const run = async (seconds) => {
    latencies = [];
    let failed = 0;
    const result = await forSeconds(seconds, clients, async (client, round) => {
      const started = now();
      const response = await fetch(`${server.base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[(client * 13 + round) % bodies.length],
      });
      const answer = await response.json();
      latencies.push(now() - started);
      if (response.status !== 200 || answer.predictions?.length !== rows) failed += 1;
      return 1;
    });
    return { ...result, failed, latencies: [...latencies] };
  };
  const measured = await measureRate(plan, run, async (result) => {
    if (result.failed > 0) throw new Error(`${server.label}: ${result.failed} failed requests`);
  });
  const percentile = (values, p) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
  };
  return {
    rates: measured.rates,
    p50: measured.repetitions.map((repetition) => percentile(repetition.latencies, 0.5)),
    p99: measured.repetitions.map((repetition) => percentile(repetition.latencies, 0.99)),
    load: measured.repetitions.map((repetition) => repetition.load),
  };
}

/** Cairn serving an alias that moves every 2 s while 4 clients score: failures and mismatches must be 0. */
async function aliasSwapUnderLoad() {
  const trackingUri = `sqlite:///${join(dir, 'registry.db')}`;
  const client = createCairnClient({ trackingUri, env: {} });
  const registry = await client.registryStore();
  await registry.createRegisteredModel({ name: 'bench-linear' });
  // Version v answers w . x + 1000 v, so every answer tells which version computed it.
  for (const version of [1, 2]) {
    const path = join(dir, `alias-v${version}`);
    await saveJsModel(path, 1000 * version);
    await registry.createModelVersion({ name: 'bench-linear', source: pathToFileURL(path).href });
  }
  await registry.setRegisteredModelAlias('bench-linear', 'champion', '1');
  const server = await startCairn('models:/bench-linear@champion', ['--poll-interval', '0.2'], {
    MLFLOW_TRACKING_URI: trackingUri,
  });
  const seconds = plan.quick ? 6 : 20;
  let failed = 0;
  let mismatched = 0;
  const versionsSeen = new Map();
  let moves = 0;
  let stopMoving = false;
  const mover = (async () => {
    while (!stopMoving) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      if (stopMoving) break;
      moves += 1;
      await registry.setRegisteredModelAlias('bench-linear', 'champion', moves % 2 === 1 ? '2' : '1');
    }
  })();
  const row = defaultColumns.map((_, index) => index);
  const expected = weights.reduce((sum, weight, index) => sum + weight * row[index], 0);
  const result = await forSeconds(seconds, clients, async () => {
    try {
      const response = await fetch(`${server.base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataframe_split: { columns: defaultColumns, data: [row] } }),
      });
      const answer = await response.json();
      const version = response.headers.get('x-cairn-model-version');
      versionsSeen.set(version, (versionsSeen.get(version) ?? 0) + 1);
      if (response.status !== 200) failed += 1;
      else if (Math.abs(answer.predictions[0].y - (expected + 1000 * Number(version))) > 1e-9)
        mismatched += 1;
    } catch {
      failed += 1;
    }
    return 1;
  });
  stopMoving = true;
  await mover;
  await stopServer(server);
  await client.close();
  return { requests: result.count, seconds: result.seconds, failed, mismatched, moves, versionsSeen };
}

async function main() {
  console.log(
    `scoring server: ${clients} clients, ${plan.seconds} s x ${plan.repetitions} after ${plan.warmupSeconds} s warm-up; ${machineLoad()}`,
  );
  const given = process.env.CAIRN_BENCH_MODEL_DIR;
  const columns = process.env.CAIRN_BENCH_MODEL_COLUMNS?.split(',') ?? defaultColumns;
  const cairnModel = given ?? join(dir, 'linear-js');
  const mlflowModel = given ?? join(dir, 'linear-py');
  if (given === undefined) {
    await saveJsModel(cairnModel, 0);
    if (python) savePythonTwin(mlflowModel);
  }
  console.log(
    `model: ${given ?? 'linear over 10 double columns (js_function, and a Python pyfunc twin for MLflow)'}`,
  );
  const results = [];
  const servers = [() => startCairn(cairnModel)];
  if (python) servers.push(() => startMlflow(mlflowModel));
  else console.log("CAIRN_MLFLOW_PYTHON is not set: MLflow's column is skipped");
  for (const start of servers) {
    const server = await start();
    try {
      for (const rows of [1, 100]) {
        const measured = await measureScoring(server, columns, rows);
        results.push({ label: server.label, rows, ...measured });
        console.log(`  ${server.label}, ${rows}-row requests: ${spreadText(measured.rates)} req/s`);
      }
    } finally {
      await stopServer(server);
    }
  }
  const table = [['server', 'rows/request', 'requests/s', 'rows/s', 'p50 ms', 'p99 ms']];
  for (const result of results) {
    table.push([
      result.label,
      String(result.rows),
      spreadText(result.rates),
      spreadText(result.rates.map((rate) => rate * result.rows)),
      spreadText(result.p50, 2),
      spreadText(result.p99, 2),
    ]);
  }
  console.log('');
  printTable(table);
  for (const rows of [1, 100]) {
    const cairn = results.find((result) => result.rows === rows && result.label.startsWith('Cairn'));
    const mlflow = results.find((result) => result.rows === rows && result.label.startsWith('MLflow'));
    if (cairn && mlflow) {
      const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
      console.log(
        `${rows}-row requests: Cairn ${fmt(median(cairn.rates) / median(mlflow.rates), 2)}x MLflow's throughput, p99 ${fmt(median(cairn.p99), 2)} ms vs ${fmt(median(mlflow.p99), 2)} ms`,
      );
    }
  }
  const swap = await aliasSwapUnderLoad();
  console.log(
    `\nalias swap under load: ${fmt(swap.requests)} requests in ${fmt(swap.seconds, 1)} s, ${swap.moves} alias moves, versions answering ${JSON.stringify(Object.fromEntries(swap.versionsSeen))}: failed ${swap.failed} (must be 0), prediction/version mismatches ${swap.mismatched} (must be 0)`,
  );
  if (swap.failed > 0 || swap.mismatched > 0) process.exitCode = 1;
  console.log(machineLoad());
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
