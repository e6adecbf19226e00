// Cairn's server against the real `mlflow server` (3.18.0), one after the other on this machine, each on a
// fresh SQLite database and at its defaults (4 workers each; Cairn also with 1 worker, its single-process
// figure), driven by the same load generator (Node fetch, keep-alive, 4 clients):
//   1. ready after start;
//   2. log-batch ingest, 1,000 metrics per request, each client on its own fresh run per repetition;
//      after every repetition the metric rows in the database must equal the points acknowledged;
//   3. run creation, checked the same way;
//   4. search-runs over 10,000 runs (filled through each server's own API): `metrics.acc > 0.5` ordered by
//      `metrics.acc DESC`, 1,000 results, searched one after another; p50 per repetition; both servers must
//      return the same acc values.
// Every throughput is a warm-up, then repetitions of a fixed duration (20 s x 3 by default), printed as
// median (min-max) with the machine's load beside it. Ceilings measured in the same run: a better-sqlite3
// insert loop into MLflow's metrics table, and a bare Fastify route parsing the same log-batch bodies.
// Needs CAIRN_MLFLOW_PYTHON (a python with mlflow 3.18.0) for MLflow's column. `--quick`: 3 s x 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlTrackingStore } from '@cairn/store-sql';
import Database from 'better-sqlite3';
import {
  fmt,
  forSeconds,
  machineLoad,
  measurementPlan,
  measureRate,
  now,
  printTable,
  rpc,
  spread,
  spreadText,
  startServer,
  stopServer,
} from './bench-kit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const plan = measurementPlan();
const clients = 4;
const searchRuns = Number(process.env.CAIRN_BENCH_SEARCH_RUNS ?? (plan.quick ? 1_000 : 10_000));
const python = process.env.CAIRN_MLFLOW_PYTHON;

/** A log-batch body of 1,000 points for batch `round` of a client, as both servers receive it. */
function batchBody(runId, round) {
  const metrics = [];
  for (let i = 0; i < 1000; i += 1) {
    metrics.push({
      key: `m${i % 10}`,
      value: i * 0.5,
      timestamp: 1_700_000_000_000 + round * 1000 + i,
      step: round * 1000 + i,
    });
  }
  return JSON.stringify({ run_id: runId, metrics });
}

/** Rows of `table` for some runs (or an experiment), read from the SQLite file the server writes. */
function countRows(path, sqlText, parameters) {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 30000');
  try {
    return database
      .prepare(sqlText)
      .pluck()
      .get(...parameters);
  } finally {
    database.close();
  }
}

/** The raw ceiling: one prepared INSERT per row, 1,000 rows per transaction, into MLflow's metrics table. */
async function rawInsertCeiling(dir) {
  const path = join(dir, 'raw.db');
  const store = createSqlTrackingStore({ uri: `sqlite:///${path}` });
  const runId = (await store.createRun({ experimentId: await store.createExperiment({ name: 'raw' }) })).info
    .run_id;
  await store.close();
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const insert = database.prepare(
    'INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)',
  );
  let step = 0;
  const batch = database.transaction(() => {
    for (let i = 0; i < 1000; i += 1, step += 1)
      insert.run(`m${i % 10}`, i * 0.5, 1_700_000_000_000 + step, step, 0, runId);
  });
  const result = await measureRate(plan, async (seconds) => {
    const start = now();
    let count = 0;
    while (now() - start < seconds * 1000) {
      batch();
      count += 1000;
    }
    return { count, seconds: (now() - start) / 1000 };
  });
  database.close();
  return result;
}

/** The HTTP + JSON ceiling: the same 4 clients posting the same bodies to a bare Fastify route. */
async function bareRouteCeiling() {
  const child = spawn(process.execPath, [join(here, 'bare-route-server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) =>
    child.stdout.once('data', (data) => resolve(String(data).trim())),
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    return await measureRate(plan, (seconds) =>
      forSeconds(seconds, clients, async (client, round) => {
        await rpc(base, 'runs/log-batch', batchBody(`run${client}`, round));
        return 1000;
      }),
    );
  } finally {
    child.kill('SIGTERM');
  }
}

async function measureServer(kind, workers) {
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-${kind}-`));
  const path = join(dir, 'bench.db');
  const server = await startServer({ kind, uri: `sqlite:///${path}`, dir, python, workers });
  const { base } = server;
  const loads = {};
  let failures = 0;
  try {
    const experimentId = (await rpc(base, 'experiments/create', { name: `bench-${Date.now()}` }))
      .experiment_id;
    const newRun = async (name) =>
      (
        await rpc(base, 'runs/create', {
          experiment_id: experimentId,
          run_name: name,
          start_time: Date.now(),
        })
      ).run.info.run_id;

    // 2. Ingest: fresh runs per repetition, so each repetition's rows can be counted on their own.
    const ingest = await measureRate(
      plan,
      async (seconds) => {
        const runIds = await Promise.all(Array.from({ length: clients }, (_, c) => newRun(`ingest-${c}`)));
        const result = await forSeconds(seconds, clients, async (client, round) => {
          try {
            await rpc(base, 'runs/log-batch', batchBody(runIds[client], round));
            return 1000;
          } catch {
            failures += 1;
            return 0;
          }
        });
        return { ...result, runIds };
      },
      async ({ count, runIds }) => {
        const stored = countRows(
          path,
          `SELECT count(*) FROM metrics WHERE run_uuid IN (${runIds.map(() => '?').join(',')})`,
          runIds,
        );
        if (stored !== count)
          throw new Error(`${server.label}: acknowledged ${count} points, stored ${stored}`);
      },
    );
    loads.ingest = machineLoad();

    // 3. Run creation, in an experiment of its own per repetition.
    const creation = await measureRate(
      plan,
      async (seconds) => {
        const target = (
          await rpc(base, 'experiments/create', { name: `create-${Date.now()}-${Math.random()}` })
        ).experiment_id;
        const result = await forSeconds(seconds, clients, async () => {
          try {
            await rpc(base, 'runs/create', { experiment_id: target, start_time: Date.now() });
            return 1;
          } catch {
            failures += 1;
            return 0;
          }
        });
        return { ...result, target };
      },
      async ({ count, target }) => {
        const stored = countRows(path, 'SELECT count(*) FROM runs WHERE experiment_id = ?', [Number(target)]);
        if (stored !== count)
          throw new Error(`${server.label}: acknowledged ${count} runs, stored ${stored}`);
      },
    );
    loads.creation = machineLoad();

    // 4. Search over searchRuns runs with an `acc` metric, filled through the server's own API.
    const searchExperiment = (await rpc(base, 'experiments/create', { name: `search-${Date.now()}` }))
      .experiment_id;
    const fillStart = now();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let r = c; r < searchRuns; r += clients) {
          const runId = (
            await rpc(base, 'runs/create', {
              experiment_id: searchExperiment,
              run_name: `run-${r}`,
              start_time: 1_700_000_000_000 + r,
            })
          ).run.info.run_id;
          await rpc(base, 'runs/log-batch', {
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
    const fillSeconds = (now() - fillStart) / 1000;
    const search = () =>
      rpc(base, 'runs/search', {
        experiment_ids: [searchExperiment],
        filter: 'metrics.acc > 0.5',
        order_by: ['metrics.acc DESC'],
        max_results: 1000,
      });
    const first = await search();
    const accValues = (first.runs ?? []).map(
      (run) => run.data.metrics.find((metric) => metric.key === 'acc')?.value,
    );
    const searchP50 = [];
    await search(); // warm-up
    for (let i = 0; i < plan.repetitions; i += 1) {
      const timings = [];
      const start = now();
      while (now() - start < plan.seconds * 1000 || timings.length < 3) {
        const began = now();
        await search();
        timings.push(now() - began);
      }
      searchP50.push(spread(timings).median);
    }
    loads.search = machineLoad();
    return {
      label: server.label,
      readyMs: server.readyMs,
      ingest,
      creation,
      searchP50,
      accValues,
      fillSeconds,
      failures,
      loads,
    };
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `server-vs-mlflow: ${clients} clients, ${plan.warmupSeconds} s warm-up then ${plan.repetitions} x ${plan.seconds} s per figure; ` +
    `log-batch of 1,000 metrics; search over ${fmt(searchRuns)} runs; SQLite for every server`,
);
console.log(`start: ${machineLoad()}`);
const ceilingDir = mkdtempSync(join(tmpdir(), 'cairn-bench-ceiling-'));
const raw = await rawInsertCeiling(ceilingDir);
rmSync(ceilingDir, { recursive: true, force: true });
console.log(`ceiling: better-sqlite3 insert loop ${spreadText(raw.rates)} rows/s   [${machineLoad()}]`);
const bare = await bareRouteCeiling();
console.log(`ceiling: bare Fastify log-batch route ${spreadText(bare.rates)} points/s   [${machineLoad()}]`);

const servers = [await measureServer('cairn'), await measureServer('cairn', 1)];
if (python) servers.push(await measureServer('mlflow'));
else console.log('MLflow: not measured (set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0)');
const mlflow = servers.find((server) => server.label.startsWith('MLflow'));

const median = (values) => spread(values).median;
const rows = [
  [
    'figure',
    ...servers.map((server) => server.label),
    ...(mlflow ? ['Cairn/MLflow'] : []),
    'vs ceilings (Cairn 1 worker)',
  ],
];
const ratio = (cairn, other, higherIsBetter) =>
  other === undefined
    ? ''
    : `${fmt(higherIsBetter ? cairn / other : other / cairn, 1)}x${higherIsBetter ? '' : ' faster'}`;
const [cairn, single] = servers;
rows.push([
  'ready after start (ms)',
  ...servers.map((s) => fmt(s.readyMs)),
  ...(mlflow ? [ratio(cairn.readyMs, mlflow.readyMs, false)] : []),
  '',
]);
rows.push([
  'log-batch ingest (points/s)',
  ...servers.map((s) => spreadText(s.ingest.rates)),
  ...(mlflow ? [ratio(median(cairn.ingest.rates), median(mlflow.ingest.rates), true)] : []),
  `${fmt(median(single.ingest.rates) / median(raw.rates), 2)} of the insert loop, ${fmt(median(single.ingest.rates) / median(bare.rates), 2)} of the bare route`,
]);
rows.push([
  'run creation (runs/s)',
  ...servers.map((s) => spreadText(s.creation.rates)),
  ...(mlflow ? [ratio(median(cairn.creation.rates), median(mlflow.creation.rates), true)] : []),
  '',
]);
rows.push([
  'search p50, 1,000 results (ms)',
  ...servers.map((s) => spreadText(s.searchP50, 1)),
  ...(mlflow ? [ratio(median(cairn.searchP50), median(mlflow.searchP50), false)] : []),
  '',
]);
console.log('');
printTable(rows);
console.log('');
for (const server of servers) {
  console.log(
    `${server.label}: search data filled in ${fmt(server.fillSeconds)} s; failed requests ${server.failures}; ` +
      `after ingest: ${server.loads.ingest}; after creation: ${server.loads.creation}; after search: ${server.loads.search}`,
  );
}
if (mlflow && JSON.stringify(mlflow.accValues) !== JSON.stringify(cairn.accValues)) {
  console.log(
    `note: search results differ: Cairn ${cairn.accValues.length} runs, MLflow ${mlflow.accValues.length}`,
  );
}
console.log(
  'stored = acknowledged after every ingest and creation repetition, for every server (the bench stops otherwise)',
);
console.log(`end: ${machineLoad()}`);
