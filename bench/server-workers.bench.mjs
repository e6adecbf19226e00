// Cairn's server with 1 and 2 workers (`--workers`, node:cluster) on SQLite and — when
// CAIRN_TEST_POSTGRES_URI is set — PostgreSQL, each on a fresh database, driven by 4 clients (Node fetch,
// keep-alive): log-batch ingest (1,000 metrics per request; stored = acknowledged checked after every
// repetition) and search throughput (`metrics.acc > 0.5` ordered by `metrics.acc DESC`, 100 results, the UI's
// page, over CAIRN_BENCH_SEARCH_RUNS runs filled through the API). Each figure is a warm-up, then repetitions
// of a fixed duration (20 s x 3; `--quick` 3 s x 1) as median (min-max), with the machine's load beside it.
// On SQLite every worker's writes take turns on the file's write lock, so workers add read throughput only;
// on PostgreSQL each worker has its own pool. The load generator shares the machine with the servers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  fmt,
  forSeconds,
  machineLoad,
  measurementPlan,
  measureRate,
  printTable,
  rpc,
  spread,
  spreadText,
  startServer,
  stopServer,
} from './bench-kit.mjs';

const plan = measurementPlan();
const clients = 4;
const searchRuns = Number(process.env.CAIRN_BENCH_SEARCH_RUNS ?? (plan.quick ? 1_000 : 5_000));
const postgresAdmin = process.env.CAIRN_TEST_POSTGRES_URI;

/** A fresh database: a SQLite file, or a new PostgreSQL database; `count(sql, parameters)` reads it. */
async function freshDatabase(backend) {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-workers-'));
    const path = join(dir, 'bench.db');
    return {
      dir,
      uri: `sqlite:///${path}`,
      count: async (text, parameters) => {
        const database = new Database(path, { readonly: true });
        database.pragma('busy_timeout = 30000');
        try {
          return database
            .prepare(text.replace(/\$\d+/gu, '?'))
            .pluck()
            .get(...parameters);
        } finally {
          database.close();
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new pg.Client({ connectionString: postgresAdmin });
  await admin.connect();
  const name = `cairn_bench_workers_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdmin);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-workers-'));
  return {
    dir,
    uri: url.toString(),
    count: async (text, parameters) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return Number((await client.query(text, parameters)).rows[0].count);
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function measure(backend, workers) {
  const database = await freshDatabase(backend);
  const server = await startServer({ kind: 'cairn', uri: database.uri, dir: database.dir, workers });
  const { base } = server;
  try {
    const experimentId = (await rpc(base, 'experiments/create', { name: 'workers' })).experiment_id;
    const newRun = async () =>
      (await rpc(base, 'runs/create', { experiment_id: experimentId, start_time: Date.now() })).run.info
        .run_id;
    const ingest = await measureRate(
      plan,
      async (seconds) => {
        const runIds = await Promise.all(Array.from({ length: clients }, newRun));
        const result = await forSeconds(seconds, clients, async (client, round) => {
          const metrics = Array.from({ length: 1000 }, (_, i) => ({
            key: `m${i % 10}`,
            value: i * 0.5,
            timestamp: 1_700_000_000_000 + round * 1000 + i,
            step: round * 1000 + i,
          }));
          await rpc(base, 'runs/log-batch', { run_id: runIds[client], metrics });
          return 1000;
        });
        return { ...result, runIds };
      },
      async ({ count, runIds }) => {
        const stored = await database.count(
          `SELECT count(*) AS count FROM metrics WHERE run_uuid IN (${runIds.map((_, i) => `$${i + 1}`).join(', ')})`,
          runIds,
        );
        if (stored !== count)
          throw new Error(`${backend}, ${workers} workers: acknowledged ${count}, stored ${stored}`);
      },
    );
    const ingestLoad = machineLoad();
    const searchExperiment = (await rpc(base, 'experiments/create', { name: 'search' })).experiment_id;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let r = c; r < searchRuns; r += clients) {
          const runId = (
            await rpc(base, 'runs/create', {
              experiment_id: searchExperiment,
              start_time: 1_700_000_000_000 + r,
            })
          ).run.info.run_id;
          await rpc(base, 'runs/log-batch', {
            run_id: runId,
            metrics: [
              { key: 'acc', value: ((r * 7919) % 1000) / 1000, timestamp: 1_700_000_000_000, step: 0 },
            ],
            params: [{ key: 'lr', value: String((r % 10) / 100) }],
          });
        }
      }),
    );
    const search = await measureRate(plan, (seconds) =>
      forSeconds(seconds, clients, async () => {
        const reply = await rpc(base, 'runs/search', {
          experiment_ids: [searchExperiment],
          filter: 'metrics.acc > 0.5',
          order_by: ['metrics.acc DESC'],
          max_results: 100,
        });
        if ((reply.runs ?? []).length !== 100) throw new Error('the search returned fewer than 100 runs');
        return 1;
      }),
    );
    return {
      backend,
      workers,
      ingest: ingest.rates,
      search: search.rates,
      ingestLoad,
      searchLoad: machineLoad(),
    };
  } finally {
    await stopServer(server);
    await database.drop();
  }
}

const backends = postgresAdmin ? ['sqlite', 'postgres'] : ['sqlite'];
console.log(
  `server-workers: Cairn with 1 and 2 workers on ${backends.join(' and ')}; ${clients} clients; ` +
    `${plan.warmupSeconds} s warm-up then ${plan.repetitions} x ${plan.seconds} s per figure; search over ${fmt(searchRuns)} runs`,
);
if (!postgresAdmin) console.log('PostgreSQL: not measured (set CAIRN_TEST_POSTGRES_URI)');
console.log(`start: ${machineLoad()}`);
const results = [];
for (const backend of backends) for (const workers of [1, 2]) results.push(await measure(backend, workers));
const rows = [
  ['backend', 'workers', 'ingest points/s', 'search searches/s', 'load after ingest', 'load after search'],
];
for (const result of results) {
  rows.push([
    result.backend,
    result.workers,
    spreadText(result.ingest),
    spreadText(result.search, 1),
    result.ingestLoad,
    result.searchLoad,
  ]);
}
console.log('');
printTable(rows);
for (const backend of backends) {
  const [one, two] = results.filter((result) => result.backend === backend);
  const ratio = (key) => fmt(spread(two[key]).median / spread(one[key]).median, 2);
  console.log(
    `${backend}: 2 workers / 1 worker = ${ratio('ingest')} for ingest, ${ratio('search')} for search`,
  );
}
console.log(`end: ${machineLoad()}`);
