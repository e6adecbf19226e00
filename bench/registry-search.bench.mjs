// Model-registry search through the REST server: Cairn's server against MLflow 3.18.0's own `mlflow server`,
// one after the other on the same SQLite file (the search is read-only), both at their defaults (4 workers).
// The file holds 10,000 registered models x 10 versions (100,000 versions), seeded straight into MLflow's
// tables with better-sqlite3 (not timed) after Cairn's store created MLflow 3.18.0's schema. Four queries,
// each sent one after another for the measurement's duration, p50 and p95 per repetition:
//   1. registered-models/search, `name LIKE 'team-07-%'` (500 models), ordered by last_updated_timestamp DESC, 100 a page;
//   2. registered-models/search, no filter, ordered by name ASC, 100 a page (the UI's model list);
//   3. model-versions/search, `name = '<one model>'` (10 versions);
//   4. model-versions/search, `run_id = '<one run>'` (10 versions).
// Both servers must return the same names and versions. Needs a build (apps/server/dist) and, for MLflow's
// column, CAIRN_MLFLOW_PYTHON. `--quick`: 3 s x 1; CAIRN_BENCH_MODELS changes the number of models.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqlTrackingStore } from '@cairn/store-sql';
import Database from 'better-sqlite3';
import {
  fmt,
  machineLoad,
  measurementPlan,
  now,
  printTable,
  spread,
  startServer,
  stopServer,
} from './bench-kit.mjs';

const plan = measurementPlan();
const modelCount = Number(process.env.CAIRN_BENCH_MODELS ?? (plan.quick ? 2_000 : 10_000));
const versionsPerModel = 10;
const teams = 20;
const python = process.env.CAIRN_MLFLOW_PYTHON;

const modelName = (index) =>
  `team-${String(index % teams).padStart(2, '0')}-model-${String(index).padStart(5, '0')}`;
const runId = (index) => index.toString(16).padStart(32, '0');

/** Creates MLflow 3.18.0's schema with Cairn's store, then fills the registry tables in one transaction. */
async function seed(path) {
  const store = createSqlTrackingStore({ uri: `sqlite:///${path}` });
  await store.createExperiment({ name: 'bench' });
  await store.close();
  const database = new Database(path);
  const started = now();
  const insertModel = database.prepare(
    'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
  );
  const insertVersion = database.prepare(
    `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
       source, run_id, status, status_message, run_link, storage_location)
     VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, 'READY', NULL, NULL, ?)`,
  );
  const insertTag = database.prepare('INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?)');
  database.transaction(() => {
    for (let index = 0; index < modelCount; index += 1) {
      const name = modelName(index);
      // Updates spread over time in an order unrelated to the name, so ordering by it really sorts.
      const updated = 1_700_000_000_000 + ((index * 7919) % modelCount) * 1000;
      insertModel.run(name, 1_700_000_000_000 + index, updated, `model ${index}`);
      insertTag.run('team', String(index % teams), name);
      for (let version = 1; version <= versionsPerModel; version += 1) {
        const source = `s3://bucket/models/${name}/${version}`;
        const stage =
          version === versionsPerModel ? 'Production' : version === versionsPerModel - 1 ? 'Staging' : 'None';
        insertVersion.run(
          name,
          version,
          updated - 1000 + version,
          updated - 1000 + version,
          stage,
          source,
          runId(index),
          source,
        );
      }
    }
  })();
  database.close();
  return (now() - started) / 1000;
}

let failures = 0;

/** GETs a registry search; a dropped connection (MLflow's workers restart under load) is retried twice and counted. */
async function get(base, path, query) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch(`${base}/api/2.0/mlflow/${path}?${new URLSearchParams(query)}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    } catch (error) {
      failures += 1;
      if (attempt === 2) throw error;
    }
  }
}

const probe = Math.floor(modelCount / 2) + 7;
const queries = [
  {
    label: "models: name LIKE 'team-07-%', last_updated DESC, 100",
    path: 'registered-models/search',
    query: [
      ['filter', "name LIKE 'team-07-%'"],
      ['order_by', 'last_updated_timestamp DESC'],
      ['max_results', '100'],
    ],
    answer: (body) => (body.registered_models ?? []).map((model) => model.name),
  },
  {
    label: 'models: all, name ASC, 100',
    path: 'registered-models/search',
    query: [
      ['order_by', 'name ASC'],
      ['max_results', '100'],
    ],
    answer: (body) => (body.registered_models ?? []).map((model) => model.name),
  },
  {
    label: "versions: name = '<model>'",
    path: 'model-versions/search',
    query: [['filter', `name = '${modelName(probe)}'`]],
    answer: (body) => (body.model_versions ?? []).map((version) => `${version.name}/${version.version}`),
  },
  {
    label: "versions: run_id = '<run>'",
    path: 'model-versions/search',
    query: [['filter', `run_id = '${runId(probe)}'`]],
    answer: (body) => (body.model_versions ?? []).map((version) => `${version.name}/${version.version}`),
  },
];

async function measureServer(kind, path, dir) {
  const server = await startServer({ kind, uri: `sqlite:///${path}`, dir, python });
  failures = 0;
  try {
    const results = [];
    for (const query of queries) {
      const answer = query.answer(await get(server.base, query.path, query.query));
      const p50 = [];
      const p95 = [];
      // Warm-up, then repetitions of a fixed duration (at least 3 calls each).
      for (const started = now(); now() - started < plan.warmupSeconds * 1000; )
        await get(server.base, query.path, query.query);
      for (let repetition = 0; repetition < plan.repetitions; repetition += 1) {
        const timings = [];
        const started = now();
        while (now() - started < plan.seconds * 1000 || timings.length < 3) {
          const began = now();
          await get(server.base, query.path, query.query);
          timings.push(now() - began);
        }
        timings.sort((a, b) => a - b);
        p50.push(timings[Math.floor((timings.length - 1) * 0.5)]);
        p95.push(timings[Math.floor((timings.length - 1) * 0.95)]);
      }
      results.push({ answer, p50, p95, load: machineLoad() });
      console.log(
        `${server.label}: ${query.label}: p50 ${p50.map((v) => fmt(v, 1)).join(' / ')} ms, p95 ${p95.map((v) => fmt(v, 1)).join(' / ')} ms`,
      );
    }
    return { label: server.label, readyMs: server.readyMs, results, failures };
  } finally {
    await stopServer(server);
  }
}

console.log(
  `registry-search: ${fmt(modelCount)} registered models x ${versionsPerModel} versions on SQLite; ` +
    `${plan.warmupSeconds} s warm-up then ${plan.repetitions} x ${plan.seconds} s per query, one request at a time`,
);
console.log(`start: ${machineLoad()}`);
const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-registry-'));
try {
  const path = join(dir, 'registry.db');
  const seedSeconds = await seed(path);
  console.log(
    `seeded ${fmt(modelCount)} models and ${fmt(modelCount * versionsPerModel)} versions in ${fmt(seedSeconds, 1)} s (not timed below)`,
  );
  const servers = [await measureServer('cairn', path, dir)];
  if (python) servers.push(await measureServer('mlflow', path, dir));
  else console.log('MLflow: not measured (set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0)');
  const [cairn, mlflow] = servers;
  const median = (values) => spread(values).median;
  const rows = [
    [
      'query',
      ...servers.flatMap((server) => [`${server.label} p50 ms`, 'p95 ms']),
      ...(mlflow ? ['p50 Cairn vs MLflow', 'p95 Cairn vs MLflow'] : []),
    ],
  ];
  queries.forEach((query, index) => {
    const mine = cairn.results[index];
    const theirs = mlflow?.results[index];
    rows.push([
      query.label,
      ...servers.flatMap((server) => [
        fmt(median(server.results[index].p50), 1),
        fmt(median(server.results[index].p95), 1),
      ]),
      ...(theirs
        ? [
            `${fmt(median(theirs.p50) / median(mine.p50), 1)}x faster`,
            `${fmt(median(theirs.p95) / median(mine.p95), 1)}x faster`,
          ]
        : []),
    ]);
  });
  console.log('');
  printTable(rows);
  console.log('');
  for (const server of servers) {
    console.log(
      `${server.label}: ready in ${fmt(server.readyMs)} ms; ${server.failures} failed requests retried; load after each query: ${server.results.map((r) => r.load.split(' on')[0].replace('load ', '')).join(' | ')}`,
    );
  }
  if (mlflow) {
    queries.forEach((query, index) => {
      const same =
        JSON.stringify(cairn.results[index].answer) === JSON.stringify(mlflow.results[index].answer);
      console.log(
        `${query.label}: ${cairn.results[index].answer.length} results; ${same ? 'same answer as MLflow' : 'ANSWERS DIFFER from MLflow'}`,
      );
      if (!same) process.exitCode = 1;
    });
  }
  console.log(`end: ${machineLoad()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
