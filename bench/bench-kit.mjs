// What the benchmarks share: servers (Cairn's built apps/server, MLflow's `mlflow server`) started on a given
// database, a REST caller, fair measurement (a warm-up, then repetitions of a fixed duration, reported as
// min / median / max), the machine's load, and number formatting. Not a benchmark itself (no .bench.mjs).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const cairnServerBin = join(here, '..', 'apps', 'server', 'dist', 'bin.js');

/** Seconds per measurement and repetitions; `--quick` (or CAIRN_BENCH_QUICK=1) shortens both to develop a bench. */
export function measurementPlan(argv = process.argv) {
  const quick = argv.includes('--quick') || process.env.CAIRN_BENCH_QUICK === '1';
  const number = (name, fallback) => {
    const flag = argv.find((arg) => arg.startsWith(`--${name}=`));
    const value = flag === undefined ? process.env[`CAIRN_BENCH_${name.toUpperCase()}`] : flag.split('=')[1];
    return value === undefined || value === '' ? fallback : Number(value);
  };
  return {
    quick,
    seconds: number('seconds', quick ? 3 : 20),
    warmupSeconds: number('warmup', quick ? 1 : 5),
    repetitions: number('repetitions', quick ? 1 : 3),
  };
}

export const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The 1, 5 and 15 minute load averages and the core count, as printed beside every figure. */
export function machineLoad() {
  const [one, five, fifteen] = loadavg();
  return `load ${one.toFixed(2)} / ${five.toFixed(2)} / ${fifteen.toFixed(2)} on ${availableParallelism()} cores`;
}

/** min, median and max of some numbers. */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    max: sorted[sorted.length - 1],
  };
}

/** `median (min - max)` of a measurement's repetitions. */
export const spreadText = (values, digits = 0) => {
  const { min, median, max } = spread(values);
  return values.length === 1
    ? fmt(median, digits)
    : `${fmt(median, digits)} (${fmt(min, digits)}-${fmt(max, digits)})`;
};

/**
 * Measures a throughput fairly: `run(seconds)` does the work for about that long and returns
 * `{ count, seconds }` (plus anything else, kept); it is called once as a warm-up whose result is dropped,
 * then `repetitions` times. Each repetition's rate and the load beside it are returned, and `check(result)`
 * (e.g. stored = acknowledged) runs after every repetition, warm-up included.
 */
export async function measureRate(plan, run, check = async () => undefined) {
  await check(await run(plan.warmupSeconds));
  const repetitions = [];
  for (let i = 0; i < plan.repetitions; i += 1) {
    const result = await run(plan.seconds);
    await check(result);
    repetitions.push({ ...result, rate: result.count / result.seconds, load: loadavg()[0] });
  }
  return { repetitions, rates: repetitions.map((repetition) => repetition.rate) };
}

/** Runs `work(client)` in `clients` loops until `seconds` pass; returns what they counted and the time. */
export async function forSeconds(seconds, clients, work) {
  const deadline = now() + seconds * 1000;
  const start = now();
  const counts = await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let count = 0;
      for (let round = 0; now() < deadline; round += 1) count += await work(client, round);
      return count;
    }),
  );
  return { count: counts.reduce((a, b) => a + b, 0), seconds: (now() - start) / 1000, counts };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, child, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server at ${base} did not become healthy`);
}

/**
 * Starts a server on `uri`, in its own process group (MLflow's uvicorn and Cairn's cluster workers are
 * children): `kind` 'cairn' (built apps/server) or 'mlflow' (`mlflow server` from `python`'s venv). Both at
 * their defaults (4 workers each) unless `workers` is given. Returns `{ base, child, readyMs, label }`.
 */
export async function startServer({ kind, uri, dir, python, workers }) {
  const port = await freePort();
  const common = [
    '--backend-store-uri',
    uri,
    '--artifacts-destination',
    join(dir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    ...(workers === undefined ? [] : ['--workers', String(workers)]),
  ];
  const child =
    kind === 'cairn'
      ? spawn(process.execPath, [cairnServerBin, ...common, '--no-log-requests'], {
          stdio: 'ignore',
          detached: true,
        })
      : spawn(join(dirname(python), 'mlflow'), ['server', ...common], {
          stdio: 'ignore',
          env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true' },
          detached: true,
        });
  const base = `http://127.0.0.1:${port}`;
  const started = now();
  await waitForHealth(base, child);
  const name = kind === 'cairn' ? 'Cairn' : 'MLflow 3.18.0';
  return {
    base,
    child,
    readyMs: now() - started,
    label: `${name} (${workers ?? 4} worker${workers === 1 ? '' : 's'})`,
  };
}

/** Stops a server and every process of its group; SIGKILL after 15 s. */
export function stopServer(server) {
  const signal = (name) => {
    try {
      process.kill(-server.child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      signal('SIGKILL');
      resolve();
    }, 15_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      // uvicorn's workers may outlive the parent for a moment.
      setTimeout(() => {
        signal('SIGKILL');
        resolve();
      }, 500);
    });
  });
}

/** POSTs an MLflow RPC and returns the JSON reply; a non-2xx answer is an error naming the path. */
export async function rpc(base, path, body, { timeoutMs = 600_000 } = {}) {
  const response = await fetch(`${base}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(Math.ceil(timeoutMs)),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? {} : JSON.parse(text);
}

/** Prints rows of cells as a left-aligned table. */
export function printTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => String(cell).padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
}
