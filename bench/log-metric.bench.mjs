// 1,000,000 fluent logMetric calls into the in-memory path and into the file store: calls/s, the cost of
// one logMetric call, end-to-end flush throughput and peak RSS, with ratios against MLflow's own fluent
// `mlflow.log_metric` measured on this machine (when CAIRN_MLFLOW_PYTHON points at mlflow 3.18.0) and the
// reference figure in shared/reference/performance.md (an unbatched SDK tops out near 1k calls/s).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTracking } from '@cairn/client';

const calls = Number(process.env.CAIRN_BENCH_CALLS ?? 1_000_000);
const referenceCallsPerSecond = 1_000;

async function measure(target) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const trackingUri = target === 'memory' ? 'memory:bench' : join(dir, 'mlruns');
  const tracking = createTracking({
    trackingUri,
    env: {},
    exitHook: false,
    systemTags: async () => ({ 'mlflow.user': 'bench' }),
  });
  await tracking.startRun({ runName: `bench-${target}` });
  const base = Date.now();
  let waited = 0n;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) {
    const pending = tracking.logMetric('loss', i * 0.001, { step: i, timestamp: base + i });
    if (pending !== undefined) {
      // Backpressure: the queue is full and the store is the bottleneck. Not part of a call's own cost.
      const before = process.hrtime.bigint();
      await pending;
      waited += process.hrtime.bigint() - before;
    }
  }
  const loopDone = process.hrtime.bigint();
  await tracking.endRun();
  const end = process.hrtime.bigint();
  const seconds = (ns) => Number(ns) / 1e9;
  // Peak RSS of logging, taken before the read-back below (which holds the whole history in memory).
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const stored = (await tracking.client().getMetricHistory(await lastRun(tracking), 'loss')).length;
  rmSync(dir, { recursive: true, force: true });
  return {
    target,
    callsPerSecond: calls / seconds(loopDone - start),
    microsPerCall: Number(loopDone - start - waited) / calls / 1e3,
    flushPointsPerSecond: calls / seconds(end - start),
    peakRssMb,
    stored,
  };
}

async function lastRun(tracking) {
  const page = await tracking.client().searchRuns({ experimentIds: ['0'], maxResults: 1 });
  return page.items[0]?.info.run_id ?? '';
}

function mlflowBaseline() {
  const python = process.env.CAIRN_MLFLOW_PYTHON;
  if (!python) return undefined;
  const n = 5_000;
  const script = `
import os, sys, tempfile, time
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
import mlflow
mlflow.set_tracking_uri("file:" + os.path.join(tempfile.mkdtemp(), "mlruns"))
with mlflow.start_run():
    t = time.perf_counter()
    for i in range(${n}):
        mlflow.log_metric("loss", i * 0.001, step=i)
    print(${n} / (time.perf_counter() - t))
`;
  const out = execFileSync(python, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return { callsPerSecond: Number(out.trim().split('\n').at(-1)), calls: n };
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

if (process.argv[2] === '--child') {
  // One target per process, so peak RSS is that target's alone.
  console.log(JSON.stringify(await measure(process.argv[3])));
} else {
  console.log(`log-metric: ${fmt(calls)} fluent logMetric calls per target`);
  const rows = ['memory', 'file'].map((target) => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', target], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`${target} bench failed:\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1));
  });
  console.log('target   calls/s        µs/call   flush points/s   peak RSS   points stored');
  for (const r of rows) {
    console.log(
      `${r.target.padEnd(8)} ${fmt(r.callsPerSecond).padStart(12)}   ${fmt(r.microsPerCall, 3).padStart(7)}   ${fmt(r.flushPointsPerSecond).padStart(14)}   ${fmt(r.peakRssMb).padStart(5)} MB   ${fmt(r.stored)}`,
    );
  }
  const baseline = mlflowBaseline();
  if (baseline === undefined) {
    console.log('MLflow baseline: not measured (set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0)');
  } else {
    console.log(
      `MLflow 3.18.0 mlflow.log_metric into a file store, measured here: ${fmt(baseline.callsPerSecond)} calls/s (${fmt(baseline.calls)} calls)`,
    );
    for (const r of rows) {
      console.log(
        `  Cairn ${r.target} / MLflow (calls/s) = ${fmt(r.callsPerSecond / baseline.callsPerSecond, 1)}x`,
      );
      console.log(
        `  Cairn ${r.target} / MLflow (end-to-end points/s) = ${fmt(r.flushPointsPerSecond / baseline.callsPerSecond, 1)}x`,
      );
    }
  }
  for (const r of rows) {
    console.log(
      `Cairn ${r.target} / reference unbatched SDK (~${fmt(referenceCallsPerSecond)} calls/s, performance.md) = ${fmt(r.callsPerSecond / referenceCallsPerSecond)}x`,
    );
  }
}
