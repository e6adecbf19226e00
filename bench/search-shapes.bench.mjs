// The run-search plan-regression bench (Cairn issue 20). 200 random shapes (0-3 filter clauses over metrics,
// params, tags and attributes; 0-2 order keys; page sizes 1-1,000), plus the issue's own, over 20,000 and
// 100,000 runs, on two SQLite files: one Cairn made (with Cairn's latest_metrics (key, value) index) and one
// MLflow made (`mlflow` 3.18.0 creates the empty schema; Cairn never adds its indexes to it). Both are filled
// with the same runs through Cairn's store API (5 params, 5 metrics, 1-2 tags, varied attributes) and cached
// between runs. Each shape is searched through Cairn's server and through `mlflow server` on copies of the same
// file, both at their defaults (4 workers): Cairn one warm-up then 3 timed (p50); MLflow up to 3 timed, fewer
// once a sample is 10x Cairn's p50 and over a second (slower beyond doubt), within a time budget per file.
// Prints, per file: Cairn's p50 spread, shapes over 100 ms, shapes slower than MLflow, the slowest shapes
// with MLflow's time beside them; and how many shapes returned different runs on the two servers.
// Options: --runs=20000,100000  --shapes=200  --mlflow-minutes=15 (budget per file)  --quick (2,000 runs,
// 30 shapes, 2 min). CAIRN_BENCH_CACHE: where seeded files are kept. Needs CAIRN_MLFLOW_PYTHON for MLflow.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqlTrackingStore } from '@cairn/store-sql';
import { knownCliffShapes, randomSearchShapes, seedSearchRuns } from '@cairn/store-sql/testing';
import Database from 'better-sqlite3';
import { fmt, machineLoad, now, printTable, rpc, spread, startServer, stopServer } from './bench-kit.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const quick = argv.includes('--quick');
const sizes = option('runs', quick ? '2000' : '20000,100000')
  .split(',')
  .map(Number);
const shapeCount = Number(option('shapes', quick ? '30' : '200'));
const mlflowMinutes = Number(option('mlflow-minutes', quick ? '2' : '15'));
const python = process.env.CAIRN_MLFLOW_PYTHON;
const cache = process.env.CAIRN_BENCH_CACHE ?? join(tmpdir(), 'cairn-bench-shapes');
/** Bump when the seeded content changes, so stale cached files are not reused. */
const seedVersion = 1;
const experimentName = 'shapes';

/** A seeded file from the cache, or a new one: `origin` 'cairn' or 'mlflow' (who made the schema). */
async function seededFile(origin, runs) {
  mkdirSync(cache, { recursive: true });
  const path = join(cache, `${origin}-${runs}-v${seedVersion}.db`);
  if (existsSync(path)) return path;
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  if (origin === 'mlflow') {
    execFileSync(
      python,
      [
        '-c',
        'import sys; from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore; SqlAlchemyStore(sys.argv[1], sys.argv[2])',
        `sqlite:///${partial}`,
        join(cache, 'mlflow-artifacts'),
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
  }
  const started = now();
  const store = createSqlTrackingStore({ uri: `sqlite:///${partial}` });
  const experimentId = await store.createExperiment({ name: experimentName });
  await seedSearchRuns(store, experimentId, runs, { concurrency: 2 });
  await store.close();
  // The WAL folds into the file so one copy carries everything.
  const database = new Database(partial);
  database.pragma('journal_mode = DELETE');
  database.close();
  renameSync(partial, path);
  console.log(`  seeded ${origin}-made file with ${fmt(runs)} runs in ${fmt((now() - started) / 1000)} s`);
  return path;
}

async function experimentIdOf(base) {
  const response = await fetch(
    `${base}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
  );
  if (!response.ok) throw new Error(`experiments/get-by-name: HTTP ${response.status}`);
  return (await response.json()).experiment.experiment_id;
}

const searchBody = (experimentId, shape) => ({
  experiment_ids: [experimentId],
  filter: shape.filter,
  order_by: shape.orderBy,
  max_results: shape.maxResults,
});

async function timed(base, body, timeoutMs) {
  const start = now();
  try {
    const reply = await rpc(base, 'runs/search', body, { timeoutMs });
    return { ms: now() - start, ids: (reply.runs ?? []).map((run) => run.info.run_id) };
  } catch (error) {
    if (error.name === 'TimeoutError')
      return { ms: Number.POSITIVE_INFINITY, ids: undefined, timedOut: true };
    throw error;
  }
}

async function measureFile(origin, runs, shapes) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-shapes-'));
  const source = await seededFile(origin, runs);
  const results = shapes.map((shape) => ({ shape }));
  try {
    copyFileSync(source, join(dir, 'cairn.db'));
    const cairn = await startServer({ kind: 'cairn', uri: `sqlite:///${join(dir, 'cairn.db')}`, dir });
    try {
      const experimentId = await experimentIdOf(cairn.base);
      for (const result of results) {
        const body = searchBody(experimentId, result.shape);
        await timed(cairn.base, body);
        const samples = [];
        for (let i = 0; i < 3; i += 1) samples.push(await timed(cairn.base, body));
        result.cairn = spread(samples.map((sample) => sample.ms)).median;
        result.cairnIds = samples[0].ids;
      }
    } finally {
      await stopServer(cairn);
    }
    const cairnLoad = machineLoad();
    let mlflowLoad = 'not measured';
    if (python) {
      copyFileSync(source, join(dir, 'mlflow.db'));
      const mlflow = await startServer({
        kind: 'mlflow',
        uri: `sqlite:///${join(dir, 'mlflow.db')}`,
        dir,
        python,
      });
      try {
        const experimentId = await experimentIdOf(mlflow.base);
        const deadline = now() + mlflowMinutes * 60_000;
        for (const result of results) {
          if (now() > deadline) break;
          const body = searchBody(experimentId, result.shape);
          const samples = [];
          while (samples.length < 3 && now() < deadline) {
            const sample = await timed(mlflow.base, body, Math.max(1_000, deadline - now()));
            samples.push(sample);
            if (sample.timedOut || (sample.ms > 1_000 && sample.ms > 10 * result.cairn)) break;
          }
          result.mlflow = spread(samples.map((sample) => sample.ms)).median;
          result.mlflowSamples = samples.length;
          result.mlflowIds = samples[0].ids;
        }
      } finally {
        await stopServer(mlflow);
      }
      mlflowLoad = machineLoad();
    }
    return { origin, runs, results, cairnLoad, mlflowLoad };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report({ origin, runs, results, cairnLoad, mlflowLoad }) {
  const cairnTimes = results.map((result) => result.cairn).sort((a, b) => a - b);
  const at = (q) => cairnTimes[Math.min(cairnTimes.length - 1, Math.floor(q * cairnTimes.length))];
  const compared = results.filter((result) => result.mlflow !== undefined);
  const slower = compared.filter((result) => result.cairn > result.mlflow);
  const ratios = compared.map((result) => result.mlflow / result.cairn).sort((a, b) => a - b);
  const differing = compared.filter(
    (result) =>
      result.mlflowIds !== undefined && JSON.stringify(result.mlflowIds) !== JSON.stringify(result.cairnIds),
  );
  console.log(`\n[${fmt(runs)} runs, file made by ${origin === 'cairn' ? 'Cairn' : 'MLflow 3.18.0'}]`);
  console.log(
    `Cairn p50 over ${results.length} shapes: median ${fmt(at(0.5), 1)} ms, p90 ${fmt(at(0.9), 1)} ms, max ${fmt(cairnTimes.at(-1), 1)} ms; ` +
      `${results.filter((result) => result.cairn > 100).length} shapes over 100 ms   [${cairnLoad}]`,
  );
  if (compared.length > 0) {
    console.log(
      `MLflow measured on ${compared.length} of ${results.length} shapes (budget ${mlflowMinutes} min): MLflow/Cairn median ${fmt(spread(ratios).median, 1)}x, ` +
        `lowest ${fmt(ratios[0], 1)}x; shapes where Cairn is slower: ${slower.length}; different runs returned: ${differing.length}   [${mlflowLoad}]`,
    );
  }
  const worst = [...results].sort((a, b) => b.cairn - a.cairn).slice(0, 10);
  const rows = [['Cairn p50 ms', 'MLflow ms', 'MLflow/Cairn', 'shape']];
  for (const result of worst) {
    const mlflowText =
      result.mlflow === undefined
        ? 'n/a'
        : `${Number.isFinite(result.mlflow) ? fmt(result.mlflow, 0) : 'timeout'}${result.mlflowSamples < 3 ? ` (${result.mlflowSamples})` : ''}`;
    rows.push([
      fmt(result.cairn, 1),
      mlflowText,
      result.mlflow === undefined ? '' : `${fmt(result.mlflow / result.cairn, 1)}x`,
      result.shape.name,
    ]);
  }
  printTable(rows);
  for (const result of slower.slice(0, 5)) {
    console.log(
      `  slower than MLflow: ${fmt(result.cairn, 1)} ms vs ${fmt(result.mlflow, 1)} ms  ${result.shape.name}`,
    );
  }
  for (const result of differing.slice(0, 3)) {
    console.log(
      `  different runs: ${result.cairnIds.length} from Cairn, ${result.mlflowIds.length} from MLflow  ${result.shape.name}`,
    );
  }
  return { overTarget: results.filter((result) => result.cairn > 100).length, slower: slower.length };
}

console.log(
  `search-shapes: ${shapeCount} random shapes + the issue's over ${sizes.map((n) => fmt(n)).join(' and ')} runs; files made by Cairn and by MLflow; ` +
    `Cairn's server and MLflow's at their defaults on copies of each file${python ? '' : ' (MLflow not measured: set CAIRN_MLFLOW_PYTHON)'}`,
);
console.log(`start: ${machineLoad()}`);
const origins = python ? ['cairn', 'mlflow'] : ['cairn'];
const summary = [];
for (const runs of sizes) {
  const shapes = [...knownCliffShapes, ...randomSearchShapes(shapeCount, runs, 20)];
  for (const origin of origins)
    summary.push({ runs, origin, ...report(await measureFile(origin, runs, shapes)) });
}
console.log('');
printTable([
  ['runs', 'file made by', 'shapes over 100 ms', 'shapes slower than MLflow'],
  ...summary.map((entry) => [fmt(entry.runs), entry.origin, entry.overTarget, python ? entry.slower : 'n/a']),
]);
console.log(`end: ${machineLoad()}`);
