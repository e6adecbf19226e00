// Metric history at scale on SQLite (issue 20):
//  (a) get-history-bulk-interval sampled in the database: 10 runs x 100,000 points (1,000,000 points), the
//      default 2,500 steps, p50 and max of repeated calls and peak RSS (goal: <= 200 ms, memory bounded),
//      for steps every run logs densely (the shape training loops log, counted arithmetically) and for
//      irregular steps (counted and ranked in SQL). Baseline: the load-everything path Cairn had before
//      (every history paged into JS, then sampled), which must give the same answer.
//  (a2) get-history-downsampled (Cairn's min/max-preserving downsampler for charts) over the same runs, 1,000
//      buckets: each bucket's lowest and highest point picked in SQL, against the same rules over histories
//      paged into JS (same answer, hashed).
//  (b) get-history of one 1,000,000-point history through the server (a forked child, so memory and event
//      loop are its own): streamed page by page vs the whole body built before answering (as it was):
//      server peak RSS (goal <= 300 MB), RSS afterwards against idle (goal <= 1.2x), the longest event-loop
//      delay (monitorEventLoopDelay; goal ~<= 50 ms), and the slowest /health and log-batch answered
//      meanwhile. Both bodies are hashed: they must be the same bytes.
// Each (a) measurement runs in its own process. Sizes: CAIRN_BENCH_SAMPLE_RUNS (10),
// CAIRN_BENCH_SAMPLE_POINTS (100,000 per run), CAIRN_BENCH_HISTORY_POINTS (1,000,000),
// CAIRN_BENCH_SAMPLES (10 calls). CAIRN_BENCH_KEEP_SQLITE=<path> keeps the database there.
import { fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  downsampleMetricHistory,
  metricHistoryDownsampleReaderFromPoints,
  metricHistorySampleReaderFromPoints,
  sampleMetricHistoryBulkInterval,
} from '@cairn/core';
import { createSqlTrackingStore } from '@cairn/store-sql';
import Database from 'better-sqlite3';

const here = dirname(fileURLToPath(import.meta.url));
const sampleRuns = Number(process.env.CAIRN_BENCH_SAMPLE_RUNS ?? 10);
const samplePoints = Number(process.env.CAIRN_BENCH_SAMPLE_POINTS ?? 100_000);
const historyPoints = Number(process.env.CAIRN_BENCH_HISTORY_POINTS ?? 1_000_000);
const samples = Number(process.env.CAIRN_BENCH_SAMPLES ?? 10);
const base = 1_700_000_000_000;

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** Fills a fresh SQLite database in SQL (the fill is not what is measured) and returns the run ids. */
async function fill(dbPath) {
  const store = createSqlTrackingStore({ uri: `sqlite:///${dbPath}`, artifactRoot: 'mlflow-artifacts:' });
  const experimentId = await store.createExperiment({ name: 'metric-history-bench' });
  const newRun = async () => (await store.createRun({ experimentId })).info.run_id;
  const ids = {
    dense: [],
    sparse: [],
    history: await newRun(),
    writer: await newRun(),
    warm: await newRun(),
  };
  for (let r = 0; r < sampleRuns; r += 1) ids.dense.push(await newRun());
  for (let r = 0; r < sampleRuns; r += 1) ids.sparse.push(await newRun());
  await store.logBatch({
    runId: ids.warm,
    // A key of its own: a first page of a key reads that key's points of every run (the primary key leads
    // with the key), which would map most of the database into the idle figure.
    metrics: Array.from({ length: 10 }, (_, step) => ({
      key: 'warm',
      value: step,
      timestamp: base + step,
      step,
    })),
  });
  await store.close();
  const db = new Database(dbPath);
  // `count` rows of one run, i = 0..count-1: the step is an SQL expression of i, the timestamp base + i.
  const insert = (runId, key, count, step) =>
    db
      .prepare(
        `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
         INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
         SELECT ?, 1.0 / (i + 1), ? + i, ?, ${step}, 0 FROM s`,
      )
      .run(count - 1, key, base, runId);
  try {
    for (const runId of ids.dense) await insert(runId, 'loss', samplePoints, 'i');
    // Every third step with every fifth one moved by one, shifted per run: no progression, no shared lattice.
    for (const [r, runId] of ids.sparse.entries()) {
      await insert(runId, 'sparse', samplePoints, `i * 3 + (CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END) + ${r}`);
    }
    // Its timestamps overlap the dense runs', so their points interleave with it in the primary key.
    await insert(ids.history, 'loss', historyPoints, 'i');
  } finally {
    db.close();
  }
  return ids;
}

/** Child: one sampling path, called `samples` times; prints p50, max, peak RSS and a digest of the answer. */
async function sampleChild(dbPath, key, path, runIds) {
  const store = createSqlTrackingStore({ uri: `sqlite:///${dbPath}`, artifactRoot: 'mlflow-artifacts:' });
  const wholeHistory = async (runId, metricKey) => {
    const points = [];
    let pageToken;
    do {
      const page = await store.getMetricHistory({ runId, metricKey, pageToken });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return points;
  };
  const paths = {
    sql: (input) => store.getMetricHistoryBulkInterval(input),
    'load-all': (input) =>
      sampleMetricHistoryBulkInterval(metricHistorySampleReaderFromPoints(wholeHistory), input),
    'downsample-sql': (input) => store.getMetricHistoryDownsampled({ ...input, buckets: 1000 }),
    'downsample-load-all': (input) =>
      downsampleMetricHistory(metricHistoryDownsampleReaderFromPoints(wholeHistory), {
        ...input,
        buckets: 1000,
      }),
  };
  const sample = paths[path];
  await store.getExperimentByName('metric-history-bench');
  const timings = [];
  let answer = [];
  const rounds = path.endsWith('load-all') ? Math.min(samples, 3) : samples;
  for (let i = 0; i < rounds; i += 1) {
    const start = process.hrtime.bigint();
    answer = await sample({ runIds, metricKey: key });
    timings.push(ms(start));
  }
  timings.sort((a, b) => a - b);
  const digest = createHash('sha256').update(JSON.stringify(answer)).digest('hex').slice(0, 16);
  await store.close();
  return {
    p50: timings[Math.floor(timings.length / 2)],
    max: timings[timings.length - 1],
    points: answer.length,
    steps: new Set(answer.map((point) => point.step)).size,
    digest,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runSampleChild(dbPath, key, path, runIds) {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', dbPath, key, path, ...runIds],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) throw new Error(`sampling (${key}, ${path}) failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

/** Forks the server child and returns it with a request/answer helper over IPC. */
async function startServer(dbPath, mapping) {
  const child = fork(join(here, 'metric-history-server.mjs'), [dbPath, mapping], {
    execArgv: ['--expose-gc'],
  });
  const next = (type) =>
    new Promise((resolve) => {
      const listener = (message) => {
        if (message.type !== type) return;
        child.off('message', listener);
        resolve(message);
      };
      child.on('message', listener);
    });
  const { url } = await next('listening');
  const ask = (type, options = {}) => {
    const answer = next(type);
    child.send({ type, ...options });
    return answer;
  };
  return { url, ask, stop: () => child.kill('SIGTERM') };
}

/** Polls /health every 25 ms and logs a 100-point batch every 100 ms until stopped; reports the slowest. */
function startNeighbours(url, writerRunId) {
  let stopped = false;
  const health = [];
  const writes = [];
  let step = 0;
  const loop = async (intervalMs, call, into) => {
    while (!stopped) {
      const start = process.hrtime.bigint();
      await call();
      into.push(ms(start));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const done = Promise.all([
    loop(25, async () => (await fetch(`${url}/health`)).text(), health),
    loop(
      100,
      async () =>
        (
          await fetch(`${url}/api/2.0/mlflow/runs/log-batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              run_id: writerRunId,
              metrics: Array.from({ length: 100 }, () => {
                step += 1;
                return { key: 'w', value: step, timestamp: base + step, step };
              }),
            }),
          })
        ).text(),
      writes,
    ),
  ]);
  return async () => {
    stopped = true;
    await done;
    return { healthMax: Math.max(...health), healthCount: health.length, writeMax: Math.max(...writes) };
  };
}

/** One get-history through a fresh server child: time, bytes, digest and the server's memory and delays. */
async function measureHistory(dbPath, ids, path, mapping = 'mmap') {
  const server = await startServer(dbPath, mapping);
  try {
    const warm = await fetch(
      `${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${ids.warm}&metric_key=warm`,
    );
    await warm.text();
    await server.ask('reset');
    const idle = await server.ask('stats', { settleMs: 3000 });
    await server.ask('reset');
    const stopNeighbours = startNeighbours(server.url, ids.writer);
    const start = process.hrtime.bigint();
    const response = await fetch(`${server.url}${path}?run_id=${ids.history}&metric_key=loss`);
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of response.body) {
      hash.update(chunk);
      bytes += chunk.length;
      chunks += 1;
    }
    const seconds = ms(start) / 1000;
    const neighbours = await stopNeighbours();
    const after = await server.ask('stats', { settleMs: 3000 });
    // A second read: memory kept after the first is capacity the second reuses, not a leak, if it stays put.
    const again = await fetch(`${server.url}${path}?run_id=${ids.history}&metric_key=loss`);
    for await (const _chunk of again.body);
    const afterSecond = await server.ask('stats', { settleMs: 3000 });
    return {
      afterSecond,
      seconds,
      bytes,
      chunks,
      digest: hash.digest('hex'),
      idle,
      after,
      neighbours,
      status: response.status,
    };
  } finally {
    server.stop();
  }
}

if (process.argv[2] === '--child') {
  const [, , , dbPath, key, path, ...runIds] = process.argv;
  console.log(JSON.stringify(await sampleChild(dbPath, key, path, runIds)));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-history-bench-'));
  const dbPath = process.env.CAIRN_BENCH_KEEP_SQLITE ?? join(dir, 'bench.db');
  try {
    const fillStart = process.hrtime.bigint();
    const ids = await fill(dbPath);
    console.log(
      `metric-history (SQLite): sampling ${fmt(sampleRuns)} runs x ${fmt(samplePoints)} points (${fmt(sampleRuns * samplePoints)} points) per shape; get-history of ${fmt(historyPoints)} points (filled in ${fmt(ms(fillStart) / 1000, 1)} s)`,
    );
    console.log('\n(a) get-history-bulk-interval, default 2,500 steps (goal: <= 200 ms)');
    for (const [shape, key, runIds] of [
      ['dense steps', 'loss', ids.dense],
      ['irregular steps', 'sparse', ids.sparse],
    ]) {
      const inSql = runSampleChild(dbPath, key, 'sql', runIds);
      const before = runSampleChild(dbPath, key, 'load-all', runIds);
      if (inSql.digest !== before.digest) {
        throw new Error(
          `${shape}: the database and the load-everything path disagree (${inSql.digest} vs ${before.digest})`,
        );
      }
      console.log(
        `  ${shape.padEnd(16)} in the database: p50 ${fmt(inSql.p50, 1)} ms, max ${fmt(inSql.max, 1)} ms, peak RSS ${fmt(inSql.peakRssMb)} MB` +
          ` | load-everything path (before): p50 ${fmt(before.p50, 0)} ms, peak RSS ${fmt(before.peakRssMb)} MB` +
          ` | ${fmt(before.p50 / inSql.p50, 1)}x faster; ${fmt(inSql.points)} points at ${fmt(inSql.steps)} steps, same answer`,
      );
    }
    console.log('\n(a2) get-history-downsampled (Cairn), 1,000 buckets: lowest and highest point per bucket');
    for (const [shape, key, runIds] of [
      ['dense steps', 'loss', ids.dense],
      ['irregular steps', 'sparse', ids.sparse],
    ]) {
      const inSql = runSampleChild(dbPath, key, 'downsample-sql', runIds);
      const before = runSampleChild(dbPath, key, 'downsample-load-all', runIds);
      if (inSql.digest !== before.digest) {
        throw new Error(
          `${shape}: downsampled in the database and in JS disagree (${inSql.digest} vs ${before.digest})`,
        );
      }
      console.log(
        `  ${shape.padEnd(16)} in the database: p50 ${fmt(inSql.p50, 1)} ms, max ${fmt(inSql.max, 1)} ms, peak RSS ${fmt(inSql.peakRssMb)} MB` +
          ` | histories paged into JS: p50 ${fmt(before.p50, 0)} ms, peak RSS ${fmt(before.peakRssMb)} MB` +
          ` | ${fmt(before.p50 / inSql.p50, 1)}x faster; ${fmt(inSql.points)} points, same answer`,
      );
    }
    console.log(
      `\n(b) get-history of ${fmt(historyPoints)} points through the server (goals: peak <= 300 MB, after <= 1.2x idle, event-loop delay ~<= 50 ms)`,
    );
    const historyPath = '/api/2.0/mlflow/metrics/get-history';
    const streamed = await measureHistory(dbPath, ids, historyPath);
    const unmapped = await measureHistory(dbPath, ids, historyPath, 'no-mmap');
    const whole = await measureHistory(dbPath, ids, '/bench/whole-history');
    for (const [name, run] of [
      ['streamed (now)', streamed],
      ['streamed, no mmap', unmapped],
      ['whole body (before)', whole],
    ]) {
      const { idle, after, neighbours } = run;
      console.log(
        `  ${name.padEnd(20)} ${fmt(run.seconds, 2)} s, ${fmt(run.bytes / 1024 / 1024, 1)} MiB in ${fmt(run.chunks)} chunks\n` +
          `    RSS: idle ${fmt(idle.rssMb)} MB, peak ${fmt(after.peakRssMb)} MB, after ${fmt(after.rssMb)} MB = ${fmt(after.rssMb / idle.rssMb, 2)}x idle (second read ${fmt(run.afterSecond.rssMb)} MB)` +
          ` | anonymous (heap, native): idle ${fmt(idle.anonMb)} MB, peak ${fmt(after.peakAnonMb)} MB, after ${fmt(after.anonMb)} MB = ${fmt(after.anonMb / idle.anonMb, 2)}x idle (after a second read ${fmt(run.afterSecond.anonMb)} MB)\n` +
          `    event-loop delay max ${fmt(after.maxDelayMs, 1)} ms (p99 ${fmt(after.p99DelayMs, 1)} ms), longest 5 ms-timer gap ${fmt(after.longestGapMs, 1)} ms; meanwhile /health max ${fmt(neighbours.healthMax, 1)} ms (${fmt(neighbours.healthCount)} probes), log-batch (100 points) max ${fmt(neighbours.writeMax, 1)} ms`,
      );
    }
    console.log(
      `  same bytes: ${streamed.digest === whole.digest && unmapped.digest === whole.digest ? 'yes' : 'NO'}; streamed / before: peak anonymous ${fmt(streamed.after.peakAnonMb / whole.after.peakAnonMb, 2)}x, longest timer gap ${fmt(streamed.after.longestGapMs / whole.after.longestGapMs, 3)}x`,
    );
    console.log(
      '  (the SQL store memory-maps up to 1 GiB of the database: the pages a read touches count in RSS but are the OS page cache, dropped under pressure; "no mmap" reads them with read() instead)',
    );
    if (streamed.digest !== whole.digest || unmapped.digest !== whole.digest || streamed.status !== 200) {
      process.exitCode = 1;
    }
  } finally {
    if (process.env.CAIRN_BENCH_KEEP_SQLITE === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
