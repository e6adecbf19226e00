// The SQL store's three benchmarks (issue 3), on SQLite and — when CAIRN_TEST_POSTGRES_URI is set — PostgreSQL:
//  (a) ingest 1,000,000 metric points through logBatch in batches of 1,000: points/s, against SQLite's raw
//      insert ceiling on this machine (~200k rows/s, shared/reference/performance.md; the goal is half);
//  (b) 100,000 runs x 10 metrics x 10 params x 5 tags, then searchRuns(`metrics.acc > 0.5`, order by
//      `metrics.acc DESC`, 1,000 results): p50/p95 in ms (goal: p50 < 100 ms on SQLite) and peak RSS;
//  (c) read one metric's history of 1,000,000 steps page by page: seconds and peak RSS.
// Each (dialect, part) runs in its own process so peak RSS belongs to that part alone.
// Sizes: CAIRN_BENCH_POINTS (1,000,000), CAIRN_BENCH_RUNS (100,000), CAIRN_BENCH_SEARCHES (20).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlTrackingStore, openSqlDatabase } from '@cairn/store-sql';
import pg from 'pg';

const points = Number(process.env.CAIRN_BENCH_POINTS ?? 1_000_000);
const runs = Number(process.env.CAIRN_BENCH_RUNS ?? 100_000);
const searches = Number(process.env.CAIRN_BENCH_SEARCHES ?? 20);
const sqliteCeiling = 200_000;
const mlflowSearchMs = 1_004; // MLflow's Python server, search-runs over 23,525 runs, 1,000 results (performance.md)

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A fresh database for one part: a SQLite file in a temp dir, or a new PostgreSQL database. */
async function freshDatabase(dialect) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-sql-bench-'));
    // CAIRN_BENCH_KEEP_SQLITE=<path> keeps the database there, for profiling a query afterwards.
    return {
      uri: `sqlite:///${process.env.CAIRN_BENCH_KEEP_SQLITE ?? join(dir, 'bench.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new pg.Client({ connectionString: process.env.CAIRN_TEST_POSTGRES_URI });
  await admin.connect();
  const name = `cairn_bench_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.CAIRN_TEST_POSTGRES_URI);
  url.pathname = `/${name}`;
  return {
    uri: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    },
  };
}

async function ingest(store) {
  const experimentId = await store.createExperiment({ name: 'ingest' });
  const run = await store.createRun({ experimentId });
  const base = Date.now();
  const start = process.hrtime.bigint();
  for (let offset = 0; offset < points; offset += 1_000) {
    const metrics = [];
    for (let i = offset; i < Math.min(offset + 1_000, points); i += 1) {
      metrics.push({ key: `m${i % 10}`, value: i * 0.5, timestamp: base + i, step: i });
    }
    await store.logBatch({ runId: run.info.run_id, metrics });
  }
  const elapsed = seconds(start);
  return { pointsPerSecond: points / elapsed, seconds: elapsed, peakRssMb: rssMb() };
}

/**
 * Fills the search fixture with multi-row INSERTs straight into MLflow's tables (runs, metrics,
 * latest_metrics, params, tags): the fill is not what (b) measures, and run-by-run API calls would take
 * tens of minutes on PostgreSQL's per-commit fsync. A read-back through the store checks the rows are what the store itself would have written.
 */
async function fillRuns(uri, experimentId) {
  const { db, dialect, close } = openSqlDatabase(uri);
  const notNan = dialect === 'sqlite' ? 0 : false; // better-sqlite3 binds no booleans
  const chunk = 400;
  try {
    for (let first = 0; first < runs; first += 2_000) {
      const runRows = [];
      const metricRows = [];
      const paramRows = [];
      const tagRows = [];
      for (let r = first; r < Math.min(first + 2_000, runs); r += 1) {
        const runId = randomBytes(16).toString('hex');
        const time = 1_700_000_000_000 + r;
        runRows.push({
          run_uuid: runId,
          name: `run-${r}`,
          source_type: 'LOCAL',
          source_name: '',
          entry_point_name: '',
          user_id: 'bench',
          status: 'FINISHED',
          start_time: time,
          end_time: time + 1,
          source_version: '',
          lifecycle_stage: 'active',
          artifact_uri: `file:///tmp/bench/${experimentId}/${runId}/artifacts`,
          experiment_id: Number(experimentId),
        });
        for (let m = 0; m < 10; m += 1) {
          const value = m === 0 ? ((r * 7919) % 1000) / 1000 : Math.random();
          metricRows.push({
            key: m === 0 ? 'acc' : `metric_${m}`,
            value,
            timestamp: time,
            step: 0,
            is_nan: notNan,
            run_uuid: runId,
          });
        }
        for (let p = 0; p < 10; p += 1)
          paramRows.push({ key: `param_${p}`, value: String((r + p) % 97), run_uuid: runId });
        for (let t = 0; t < 5; t += 1)
          tagRows.push({ key: `tag_${t}`, value: `v${(r + t) % 13}`, run_uuid: runId });
        tagRows.push({ key: 'mlflow.runName', value: `run-${r}`, run_uuid: runId });
      }
      await db.transaction().execute(async (trx) => {
        for (const [table, rows] of [
          ['runs', runRows],
          ['metrics', metricRows],
          ['latest_metrics', metricRows],
          ['params', paramRows],
          ['tags', tagRows],
        ]) {
          for (let i = 0; i < rows.length; i += chunk)
            await trx
              .insertInto(table)
              .values(rows.slice(i, i + chunk))
              .execute();
        }
      });
    }
  } finally {
    await close();
  }
}

async function search(store, uri) {
  const experimentId = await store.createExperiment({ name: 'search' });
  const fillStart = process.hrtime.bigint();
  await fillRuns(uri, experimentId);
  const sample = (await store.searchRuns({ experimentIds: [experimentId], maxResults: 1 })).items[0];
  if (sample === undefined || sample.data.params.length !== 10 || sample.data.metrics.length !== 10) {
    throw new Error('the bulk fill does not read back as runs with 10 params and 10 metrics');
  }
  const fillSeconds = seconds(fillStart);
  const timings = [];
  let returned = 0;
  for (let i = 0; i < searches; i += 1) {
    const start = process.hrtime.bigint();
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter: 'metrics.acc > 0.5',
      orderBy: ['metrics.acc DESC'],
      maxResults: 1_000,
    });
    timings.push(seconds(start) * 1000);
    returned = page.items.length;
  }
  timings.sort((a, b) => a - b);
  const at = (q) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
  return { fillSeconds, p50: at(0.5), p95: at(0.95), returned, peakRssMb: rssMb() };
}

async function history(store) {
  const experimentId = await store.createExperiment({ name: 'history' });
  const run = await store.createRun({ experimentId });
  const base = Date.now();
  for (let offset = 0; offset < points; offset += 1_000) {
    const metrics = [];
    for (let i = offset; i < Math.min(offset + 1_000, points); i += 1) {
      metrics.push({ key: 'loss', value: 1 / (i + 1), timestamp: base + i, step: i });
    }
    await store.logBatch({ runId: run.info.run_id, metrics });
  }
  const before = rssMb();
  const start = process.hrtime.bigint();
  let read = 0;
  let pages = 0;
  let pageToken;
  do {
    const page = await store.getMetricHistory({ runId: run.info.run_id, metricKey: 'loss', pageToken });
    read += page.items.length;
    pages += 1;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return { seconds: seconds(start), read, pages, rssBeforeMb: before, peakRssMb: rssMb() };
}

const parts = { ingest, search, history };

if (process.argv[2] === '--child') {
  const [, , , dialect, part] = process.argv;
  const database = await freshDatabase(dialect);
  const store = createSqlTrackingStore({ uri: database.uri });
  try {
    console.log(JSON.stringify(await parts[part](store, database.uri)));
  } finally {
    await store.close();
    await database.drop();
  }
} else {
  const dialects = ['sqlite'];
  if (process.env.CAIRN_TEST_POSTGRES_URI) dialects.push('postgres');
  else
    console.log(
      'PostgreSQL: not measured (set CAIRN_TEST_POSTGRES_URI, e.g. eval "$(bash .ci/start-databases.sh)")',
    );
  console.log(
    `sql-store: ${fmt(points)} points, ${fmt(runs)} runs x (10 metrics, 10 params, 5 tags), ${searches} searches`,
  );
  for (const dialect of dialects) {
    const result = {};
    for (const part of Object.keys(parts)) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dialect, part], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (child.status !== 0) throw new Error(`${dialect} ${part} failed:\n${child.stderr}`);
      result[part] = JSON.parse(child.stdout.trim().split('\n').at(-1));
    }
    const { ingest: a, search: b, history: c } = result;
    console.log(`\n[${dialect}]`);
    console.log(
      `(a) ingest: ${fmt(a.pointsPerSecond)} points/s (${fmt(a.seconds, 1)} s, peak RSS ${fmt(a.peakRssMb)} MB)` +
        (dialect === 'sqlite'
          ? `; / SQLite raw ceiling ${fmt(sqliteCeiling)} rows/s = ${fmt(a.pointsPerSecond / sqliteCeiling, 2)} (goal >= 0.5)`
          : ''),
    );
    console.log(
      `(b) search over ${fmt(runs)} runs: p50 ${fmt(b.p50, 1)} ms, p95 ${fmt(b.p95, 1)} ms, ${fmt(b.returned)} results, peak RSS ${fmt(b.peakRssMb)} MB (filled in ${fmt(b.fillSeconds, 0)} s)` +
        `; MLflow server ${fmt(mlflowSearchMs)} ms / Cairn p50 = ${fmt(mlflowSearchMs / b.p50, 1)}x`,
    );
    console.log(
      `(c) history of ${fmt(c.read)} points in ${fmt(c.pages)} pages: ${fmt(c.seconds, 2)} s, peak RSS ${fmt(c.peakRssMb)} MB (${fmt(c.rssBeforeMb)} MB before reading)`,
    );
  }
}
