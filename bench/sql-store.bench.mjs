// The SQL store's three benchmarks (issue 3, made fair by issue 20), on SQLite and — when
// CAIRN_TEST_POSTGRES_URI is set — PostgreSQL:
//  (a) ingest through logBatch in batches of 1,000 points into one run: a warm-up, then repetitions of a
//      fixed duration (20 s x 3; `--quick` 3 s x 1), points/s as median (min-max), the stored rows counted
//      against the acknowledged points after every repetition; beside it the ceiling measured in the same
//      process just before: a better-sqlite3 insert loop (one prepared INSERT per row, 1,000 rows per
//      transaction) on SQLite, `COPY ... FROM STDIN` through psql on PostgreSQL, into the same table;
//  (b) 100,000 runs x 10 metrics x 10 params x 5 tags, then searchRuns(`metrics.acc > 0.5`, order by
//      `metrics.acc DESC`, 1,000 results): p50/p95 in ms (goal: p50 < 100 ms on SQLite) and peak RSS, beside
//      the plain search (no filter, no order, 1,000 results) timed in the same process;
//  (c) read one metric's history of 1,000,000 steps page by page: seconds and peak RSS.
// Each (dialect, part) runs in its own process so peak RSS belongs to that part alone; the machine's load is
// printed with each. Sizes: CAIRN_BENCH_POINTS (1,000,000, part c), CAIRN_BENCH_RUNS (100,000),
// CAIRN_BENCH_SEARCHES (20).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlTrackingStore, openSqlDatabase } from '@cairn/store-sql';
import pg from 'pg';
import { fmt, machineLoad, measurementPlan, measureRate, now, spread, spreadText } from './bench-kit.mjs';

const points = Number(process.env.CAIRN_BENCH_POINTS ?? 1_000_000);
const runs = Number(process.env.CAIRN_BENCH_RUNS ?? 100_000);
const searches = Number(process.env.CAIRN_BENCH_SEARCHES ?? 20);
const plan = measurementPlan();

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const rssMb = () => process.resourceUsage().maxRSS / 1024;

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

const metricColumns = ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'];

/** SQLite's ceiling: one prepared INSERT per row, 1,000 rows per transaction, into the store's metrics table. */
async function sqliteInsertLoop(uri, runId) {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(uri.replace(/^sqlite:\/\/\//u, ''));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const insert = database.prepare(
    `INSERT INTO metrics (${metricColumns.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  let step = 0;
  const batch = database.transaction(() => {
    for (let i = 0; i < 1000; i += 1, step += 1)
      insert.run(`m${i % 10}`, i * 0.5, 1_700_000_000_000 + step, step, 0, runId);
  });
  try {
    return await measureRate(plan, async (seconds) => {
      const start = now();
      let count = 0;
      while (now() - start < seconds * 1000) {
        batch();
        count += 1000;
      }
      return { count, seconds: (now() - start) / 1000 };
    });
  } finally {
    database.close();
  }
}

/** PostgreSQL's ceiling: rows streamed to `COPY metrics FROM STDIN` through psql for the duration. */
async function postgresCopy(uri, runId) {
  let step = 0;
  return measureRate(plan, async (seconds) => {
    const child = spawn('psql', [uri, '-q', '-c', `COPY metrics (${metricColumns.join(', ')}) FROM STDIN`], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const done = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`psql COPY exited with ${code}`)),
      );
    });
    const start = now();
    let count = 0;
    while (now() - start < seconds * 1000) {
      let chunk = '';
      for (let i = 0; i < 1000; i += 1, step += 1)
        chunk += `m${i % 10}\t${i * 0.5}\t${1_700_000_000_000 + step}\t${step}\tf\t${runId}\n`;
      count += 1000;
      if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
    child.stdin.end();
    await done;
    return { count, seconds: (now() - start) / 1000 };
  });
}

async function countMetricRows(uri, runId) {
  const { db, close } = openSqlDatabase(uri);
  try {
    const row = await db
      .selectFrom('metrics')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('run_uuid', '=', runId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await close();
  }
}

async function ingest(store, uri, dialect) {
  const experimentId = await store.createExperiment({ name: 'ingest' });
  const ceilingRun = await store.createRun({ experimentId });
  const ceiling =
    dialect === 'sqlite'
      ? await sqliteInsertLoop(uri, ceilingRun.info.run_id)
      : await postgresCopy(uri, ceilingRun.info.run_id);
  const ceilingLoad = machineLoad();
  const run = await store.createRun({ experimentId });
  const runId = run.info.run_id;
  let step = 0;
  let acknowledged = 0;
  const result = await measureRate(
    plan,
    async (seconds) => {
      const start = now();
      let count = 0;
      while (now() - start < seconds * 1000) {
        const metrics = [];
        for (let i = 0; i < 1000; i += 1, step += 1) {
          metrics.push({ key: `m${i % 10}`, value: i * 0.5, timestamp: 1_700_000_000_000 + step, step });
        }
        await store.logBatch({ runId, metrics });
        count += 1000;
      }
      acknowledged += count;
      return { count, seconds: (now() - start) / 1000 };
    },
    async () => {
      const stored = await countMetricRows(uri, runId);
      if (stored !== acknowledged) throw new Error(`acknowledged ${acknowledged} points, stored ${stored}`);
    },
  );
  return {
    rates: result.rates,
    ceilingRates: ceiling.rates,
    ceilingLoad,
    load: machineLoad(),
    peakRssMb: rssMb(),
  };
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
  const time = async (query) => {
    const timings = [];
    let returned = 0;
    for (let i = 0; i < searches; i += 1) {
      const start = process.hrtime.bigint();
      const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 1_000, ...query });
      timings.push(seconds(start) * 1000);
      returned = page.items.length;
    }
    timings.sort((a, b) => a - b);
    const at = (q) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
    return { p50: at(0.5), p95: at(0.95), returned };
  };
  const plain = await time({});
  const searched = await time({ filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'] });
  return { fillSeconds, ...searched, plainP50: plain.p50, peakRssMb: rssMb(), load: machineLoad() };
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
    console.log(JSON.stringify(await parts[part](store, database.uri, dialect)));
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
    `sql-store: ingest ${plan.warmupSeconds} s warm-up then ${plan.repetitions} x ${plan.seconds} s; ${fmt(runs)} runs x (10 metrics, 10 params, 5 tags), ${searches} searches; history of ${fmt(points)} points`,
  );
  console.log(`start: ${machineLoad()}`);
  for (const dialect of dialects) {
    const result = {};
    for (const part of Object.keys(parts)) {
      const child = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', dialect, part, ...process.argv.slice(2)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      if (child.status !== 0) throw new Error(`${dialect} ${part} failed:\n${child.stderr}`);
      result[part] = JSON.parse(child.stdout.trim().split('\n').at(-1));
    }
    const { ingest: a, search: b, history: c } = result;
    console.log(`\n[${dialect}]`);
    const ceilingName = dialect === 'sqlite' ? 'better-sqlite3 insert loop' : 'COPY through psql';
    console.log(
      `(a) ingest: ${spreadText(a.rates)} points/s, peak RSS ${fmt(a.peakRssMb)} MB   [${a.load}]\n` +
        `    ceiling, ${ceilingName}: ${spreadText(a.ceilingRates)} rows/s   [${a.ceilingLoad}]\n` +
        `    ingest / ceiling = ${fmt(spread(a.rates).median / spread(a.ceilingRates).median, 2)}` +
        (dialect === 'sqlite' ? ' (goal >= 0.65)' : ''),
    );
    console.log(
      `(b) search over ${fmt(runs)} runs: p50 ${fmt(b.p50, 1)} ms, p95 ${fmt(b.p95, 1)} ms, ${fmt(b.returned)} results, peak RSS ${fmt(b.peakRssMb)} MB (filled in ${fmt(b.fillSeconds, 0)} s)` +
        `; the plain search of 1,000 results p50 ${fmt(b.plainP50, 1)} ms, ratio ${fmt(b.p50 / b.plainP50, 2)}   [${b.load}]`,
    );
    console.log(
      `(c) history of ${fmt(c.read)} points in ${fmt(c.pages)} pages: ${fmt(c.seconds, 2)} s, peak RSS ${fmt(c.peakRssMb)} MB (${fmt(c.rssBeforeMb)} MB before reading)`,
    );
  }
}
