// Cairn's server against the real `mlflow server` (3.18.0), one after the other on this machine, each on a
// fresh SQLite database, driven by the same HTTP load generator (Node fetch, keep-alive) with the same
// workload:
//   1. log-batch ingest: 4 clients, 1,000 metrics per request, each client on its own run;
//   2. run creation: 4 clients creating runs;
//   3. search-runs over 10,000 runs with `metrics.acc > 0.5` ordered by `metrics.acc DESC`, 1,000 results.
// Prints each figure for both servers and Cairn/MLflow. Needs CAIRN_MLFLOW_PYTHON (a python with mlflow
// 3.18.0: `bash .ci/install-mlflow.sh | tail -1`); without it only Cairn is measured.
// Sizes: CAIRN_BENCH_BATCHES (per client, 25), CAIRN_BENCH_CREATES (per client, 250), CAIRN_BENCH_SEARCH_RUNS
// (10,000), CAIRN_BENCH_SEARCHES (10).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cairnServerBin = join(here, '..', 'apps', 'server', 'dist', 'bin.js');
const clients = 4;
const batchesPerClient = Number(process.env.CAIRN_BENCH_BATCHES ?? 25);
const createsPerClient = Number(process.env.CAIRN_BENCH_CREATES ?? 250);
const searchRuns = Number(process.env.CAIRN_BENCH_SEARCH_RUNS ?? 10_000);
const searches = Number(process.env.CAIRN_BENCH_SEARCHES ?? 10);
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const now = () => Number(process.hrtime.bigint()) / 1e6;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, child, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server at ${base} did not become healthy`);
}

async function startServer(kind, dir, python) {
  const port = await freePort();
  const common = [
    '--backend-store-uri',
    `sqlite:///${join(dir, 'bench.db')}`,
    '--artifacts-destination',
    join(dir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  const child =
    kind === 'cairn'
      ? spawn(process.execPath, [cairnServerBin, ...common, '--no-log-requests'], { stdio: 'ignore' })
      : spawn(join(dirname(python), 'mlflow'), ['server', ...common, '--workers', '1'], {
          stdio: 'ignore',
          env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true' },
          detached: true,
        });
  const base = `http://127.0.0.1:${port}`;
  const started = now();
  await waitForHealth(base, child);
  return { base, child, readyMs: now() - started };
}

function stopServer(server) {
  try {
    // MLflow runs uvicorn/gunicorn children: signal the whole group.
    process.kill(-server.child.pid, 'SIGTERM');
  } catch {
    server.child.kill('SIGTERM');
  }
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) resolve();
    else server.child.once('exit', () => resolve());
    setTimeout(resolve, 10_000).unref();
  });
}

async function call(base, path, body) {
  const response = await fetch(`${base}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? {} : JSON.parse(text);
}

async function createRun(base, experimentId, name) {
  const reply = await call(base, 'runs/create', {
    experiment_id: experimentId,
    run_name: name,
    start_time: Date.now(),
  });
  return reply.run.info.run_id;
}

async function workload(base) {
  const experimentId = (await call(base, 'experiments/create', { name: `bench-${Date.now()}` }))
    .experiment_id;

  // 1. Ingest: each client logs its own run, 1,000 metrics per request.
  const runIds = await Promise.all(
    Array.from({ length: clients }, (_, c) => createRun(base, experimentId, `ingest-${c}`)),
  );
  let start = now();
  await Promise.all(
    runIds.map(async (runId) => {
      for (let b = 0; b < batchesPerClient; b += 1) {
        const metrics = Array.from({ length: 1000 }, (_, i) => ({
          key: `m${i % 10}`,
          value: i * 0.5,
          timestamp: 1_700_000_000_000 + b * 1000 + i,
          step: b * 1000 + i,
        }));
        await call(base, 'runs/log-batch', { run_id: runId, metrics });
      }
    }),
  );
  const ingestMs = now() - start;
  const ingestPointsPerSecond = (clients * batchesPerClient * 1000) / (ingestMs / 1000);

  // 2. Run creation.
  start = now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let r = 0; r < createsPerClient; r += 1) await createRun(base, experimentId, `create-${c}-${r}`);
    }),
  );
  const createsPerSecond = (clients * createsPerClient) / ((now() - start) / 1000);

  // 3. Search over searchRuns runs, each with an `acc` metric; filled through log-batch by 4 clients.
  const searchExperiment = (await call(base, 'experiments/create', { name: `search-${Date.now()}` }))
    .experiment_id;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let r = c; r < searchRuns; r += clients) {
        const runId = await createRun(base, searchExperiment, `run-${r}`);
        await call(base, 'runs/log-batch', {
          run_id: runId,
          metrics: [
            { key: 'acc', value: ((r * 7919) % 1000) / 1000, timestamp: 1_700_000_000_000, step: 0 },
            { key: 'loss', value: 1 - ((r * 7919) % 1000) / 1000, timestamp: 1_700_000_000_000, step: 0 },
          ],
          params: [{ key: 'lr', value: String((r % 10) / 100) }],
        });
      }
    }),
  );
  const timings = [];
  let returned = 0;
  for (let s = 0; s < searches; s += 1) {
    start = now();
    const reply = await call(base, 'runs/search', {
      experiment_ids: [searchExperiment],
      filter: 'metrics.acc > 0.5',
      order_by: ['metrics.acc DESC'],
      max_results: 1000,
    });
    timings.push(now() - start);
    returned = reply.runs?.length ?? 0;
  }
  timings.sort((a, b) => a - b);
  const p50 = timings[Math.floor(timings.length / 2)];
  return { ingestPointsPerSecond, createsPerSecond, searchP50Ms: p50, returned };
}

async function measure(kind, python) {
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-${kind}-`));
  const server = await startServer(kind, dir, python);
  try {
    return { readyMs: server.readyMs, ...(await workload(server.base)) };
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

const python = process.env.CAIRN_MLFLOW_PYTHON;
console.log(
  `server-vs-mlflow: ${clients} clients; ingest ${fmt(clients * batchesPerClient)} log-batch requests of 1,000 metrics; ` +
    `${fmt(clients * createsPerClient)} run creations; search over ${fmt(searchRuns)} runs (${searches} searches); SQLite for both`,
);
const cairn = await measure('cairn');
const mlflow = python ? await measure('mlflow', python) : undefined;
const row = (label, pick, unit, digits, higherIsBetter) => {
  const c = pick(cairn);
  const m = mlflow === undefined ? undefined : pick(mlflow);
  const ratio =
    m === undefined
      ? ''
      : `   Cairn/MLflow = ${fmt(higherIsBetter ? c / m : m / c, 1)}x ${higherIsBetter ? '' : '(faster)'}`;
  console.log(
    `${label.padEnd(31)} Cairn ${fmt(c, digits).padStart(10)} ${unit}   MLflow ${m === undefined ? 'n/a'.padStart(10) : fmt(m, digits).padStart(10)} ${unit}${ratio}`,
  );
};
row('ready after start', (r) => r.readyMs, 'ms', 0, false);
row('log-batch ingest', (r) => r.ingestPointsPerSecond, 'points/s', 0, true);
row('run creation', (r) => r.createsPerSecond, 'runs/s', 0, true);
row('search-runs p50, 1,000 results', (r) => r.searchP50Ms, 'ms', 1, false);
if (mlflow === undefined)
  console.log('MLflow: not measured (set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0)');
else if (cairn.returned !== mlflow.returned)
  console.log(`note: result counts differ: Cairn ${cairn.returned}, MLflow ${mlflow.returned}`);
console.log('goals (issue 4): ingest >= 10x MLflow, search >= 5x faster');
