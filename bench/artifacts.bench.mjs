// Artifact transfer through @cairn/client, as a user would move artifacts: `logArtifact` of one large file,
// `logArtifacts` of a tree of small files, and `downloadArtifacts` of both back, on four paths:
//   local       straight into the local file artifact store (file:// artifact location);
//   s3          straight into S3 (a moto server on 127.0.0.1, s3:// artifact location);
//   proxy-local through a Cairn server's artifact proxy (mlflow-artifacts:) on the local file store;
//   proxy-s3    through a Cairn server's artifact proxy on the S3 store.
// The servers run in a child process (bench/artifact-server.mjs), so their peak RSS (VmHWM, reset before
// each transfer through /proc/<pid>/clear_refs) is the server's own. Every download is hashed against what
// was generated; a mismatch fails the run. Baselines measured here on the same files: `cp` (the disk),
// a bare node:http PUT/GET server (the loopback), and, with CAIRN_MLFLOW_PYTHON, MLflow 3.18.0's own
// `mlflow.log_artifact(s)` / `mlflow.artifacts.download_artifacts` through `mlflow server`.
// Sizes: CAIRN_BENCH_FILE_MB (MiB, default 1024), CAIRN_BENCH_FILES (default 10,000);
// `--quick` is 64 MiB and 500 files. `--paths=local,proxy-local` picks paths; `--no-mlflow` skips MLflow.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createCairnClient } from '@cairn/client';
import { freePort, setTestS3Environment, startTestS3Server } from '@cairn/store-s3/testing';

const here = dirname(fileURLToPath(import.meta.url));
const execFileAsync = promisify(execFile);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const fileMiB = Number(flag('file-mb') ?? process.env.CAIRN_BENCH_FILE_MB ?? (quick ? 64 : 1024));
const treeFiles = Number(flag('files') ?? process.env.CAIRN_BENCH_FILES ?? (quick ? 500 : 10_000));
const allPaths = ['local', 's3', 'proxy-local', 'proxy-s3'];
const paths = (flag('paths') ?? allPaths.join(',')).split(',');
const python = args.includes('--no-mlflow') ? undefined : process.env.CAIRN_MLFLOW_PYTHON;
const bigName = 'big.bin';
const root = mkdtempSync(join(tmpdir(), 'cairn-bench-artifacts-'));
const bigBytes = fileMiB * 1024 * 1024;

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const now = () => performance.now();
const mibPerSecond = (bytes, ms) => bytes / 1024 / 1024 / (ms / 1000);
const perSecond = (count, ms) => count / (ms / 1000);

// --- deterministic content: an AES-128-CTR keystream from a seed (fast, reproducible, incompressible) ---

function keystream(seed) {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (bytes) => cipher.update(Buffer.alloc(bytes));
}

/** Writes the big file and returns its sha256. */
function writeBigFile(path) {
  const next = keystream('cairn-bench-big');
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  const chunk = 4 * 1024 * 1024;
  for (let written = 0; written < bigBytes; written += chunk) {
    const bytes = next(Math.min(chunk, bigBytes - written));
    hash.update(bytes);
    writeSync(fd, bytes);
  }
  closeSync(fd);
  return hash.digest('hex');
}

/** Writes `treeFiles` files of 1-8 KiB in 100 folders; returns relative path -> sha256, and the total bytes. */
function writeTree(root) {
  const next = keystream('cairn-bench-tree');
  const hashes = new Map();
  let total = 0;
  for (let i = 0; i < treeFiles; i += 1) {
    const rel = `d${String(i % 100).padStart(2, '0')}/f${String(i).padStart(5, '0')}.bin`;
    const bytes = next(1024 + ((i * 2_654_435_761) % (7 * 1024 + 1)));
    mkdirSync(join(root, dirname(rel)), { recursive: true });
    writeFileSync(join(root, rel), bytes);
    hashes.set(rel, createHash('sha256').update(bytes).digest('hex'));
    total += bytes.length;
  }
  return { hashes, total };
}

async function hashFile(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }), hash);
  return hash.digest('hex');
}

/** Throws unless `dir` holds exactly the generated tree, byte for byte. */
function verifyTree(dir, expected, label) {
  const found = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  if (found.length !== expected.size)
    throw new Error(`${label}: ${found.length} files downloaded, ${expected.size} expected`);
  for (const entry of found) {
    const rel = relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/');
    const hash = createHash('sha256')
      .update(readFileSync(join(dir, rel)))
      .digest('hex');
    if (expected.get(rel) !== hash) throw new Error(`${label}: ${rel} differs from what was uploaded`);
  }
}

async function verifyBig(path, expected, label) {
  const hash = await hashFile(path);
  if (hash !== expected) throw new Error(`${label}: ${bigName} differs from what was uploaded`);
}

// --- process memory: VmHWM (peak RSS) of a process group, resettable through clear_refs ---

function groupPids(pgid) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/u.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Resets the peak RSS of every process in the group (Linux: writing 5 to clear_refs). */
function resetPeak(pgid) {
  for (const pid of groupPids(pgid)) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // exited meanwhile
    }
  }
}

/** The peak RSS of the group's largest process and the sum over its processes, in MiB. */
function peakMiB(pgid) {
  let max = 0;
  let sum = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const kib = Number(/VmHWM:\s+(\d+)/u.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      max = Math.max(max, kib);
      sum += kib;
    } catch {
      // exited meanwhile
    }
  }
  return { max: max / 1024, sum: sum / 1024 };
}

const selfPeakMiB = () =>
  Number(/VmHWM:\s+(\d+)/u.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

// --- child processes: started in their own process group, all killed at exit whatever happens ---

const children = new Set();
function killAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// Their output goes to a file, not a pipe: a pipe nobody drains (the event loop busy in a transfer) would fill
// and stall a server that logs every request.
let childCount = 0;
function startChild(command, argv, env) {
  childCount += 1;
  const log = join(root, `child-${childCount}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(command, argv, {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
    detached: true,
  });
  closeSync(fd);
  children.add(child);
  child.output = () => readFileSync(log, 'utf8').slice(-4000);
  return child;
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => killAll(), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

async function waitForUrl(url, child, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${child.output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer: ${child.output()}`);
}

async function startBenchServer(kind, dir, env = {}) {
  const port = await freePort();
  const child = startChild(
    process.execPath,
    [join(here, 'artifact-server.mjs'), kind, dir, String(port)],
    env,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForUrl(kind === 'raw' ? base : `${base}/health`, child);
  return { base, child };
}

/** Flushes dirty pages so one measurement's writeback does not land in the next one's time. */
const settle = () => spawnSync('sync');

// --- one measured transfer ---

async function timed(label, server, work) {
  settle();
  if (server !== undefined) resetPeak(server.child.pid);
  writeFileSync('/proc/self/clear_refs', '5');
  const start = now();
  await work();
  const ms = now() - start;
  return {
    label,
    ms,
    server: server === undefined ? undefined : peakMiB(server.child.pid),
    clientMiB: selfPeakMiB(),
  };
}

// --- the four Cairn paths ---

async function cairnPath(name, data, s3) {
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-artifacts-${name}-`));
  let server;
  try {
    if (name === 'proxy-local') server = await startBenchServer('local', dir);
    if (name === 'proxy-s3')
      server = await startBenchServer('s3', dir, { ...s3.env, CAIRN_BENCH_S3_URI: 's3://bench/proxied' });
    const client = createCairnClient(
      server === undefined
        ? { trackingUri: `sqlite:///${join(dir, 'tracking.db')}`, env: {} }
        : { trackingUri: server.base, env: {} },
    );
    const experimentId = await client.createExperiment(
      `artifacts-${name}`,
      name === 'local'
        ? { artifactLocation: `file://${join(dir, 'artifacts')}` }
        : name === 's3'
          ? { artifactLocation: 's3://bench/direct' }
          : {},
    );
    const run = await client.createRun(experimentId);
    const runId = run.info.run_id;
    const results = [];
    results.push(await timed('upload file', server, () => client.logArtifact(runId, data.bigPath)));
    const bigOut = join(dir, 'download-big');
    results.push(
      await timed('download file', server, () =>
        client.downloadArtifacts({ runId, artifactPath: bigName, dstPath: bigOut }),
      ),
    );
    await verifyBig(join(bigOut, bigName), data.bigHash, name);
    rmSync(bigOut, { recursive: true, force: true });
    results.push(await timed('upload tree', server, () => client.logArtifacts(runId, data.treeDir, 'tree')));
    const treeOut = join(dir, 'download-tree');
    results.push(
      await timed('download tree', server, () =>
        client.downloadArtifacts({ runId, artifactPath: 'tree', dstPath: treeOut }),
      ),
    );
    verifyTree(join(treeOut, 'tree'), data.tree.hashes, name);
    await client[Symbol.asyncDispose]();
    return results;
  } catch (error) {
    if (server !== undefined) console.error(`server output:\n${server.child.output()}`);
    throw error;
  } finally {
    if (server !== undefined) await stopChild(server.child);
    if (name === 's3' || name === 'proxy-s3') {
      // Empty moto between paths so its memory does not carry every earlier copy.
      await fetch(`${s3.endpoint}/moto-api/reset`, { method: 'POST' });
      await s3.createBucket('bench');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- baselines: the disk (cp) and the loopback (bare node:http, 4 requests at a time for the tree) ---

async function diskBaseline(data) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-artifacts-cp-'));
  try {
    const cp = (from, to, recursive) => {
      const result = spawnSync('cp', [...(recursive ? ['-r'] : []), from, to]);
      if (result.status !== 0) throw new Error(`cp failed: ${result.stderr}`);
    };
    return [
      await timed('copy file', undefined, () => cp(data.bigPath, join(dir, bigName))),
      await timed('copy tree', undefined, () => cp(data.treeDir, join(dir, 'tree'), true)),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loopbackBaseline(data) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-artifacts-raw-'));
  const server = await startBenchServer('raw', join(dir, 'server'));
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const { port } = new URL(server.base);
  const send = (method, path, source, target) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, agent }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`raw ${method} ${path}: ${response.statusCode}`));
        if (target === undefined) {
          response.on('error', reject).on('end', resolve).resume();
        } else {
          response.pipe(createWriteStream(target)).on('error', reject).on('finish', resolve);
        }
      });
      req.on('error', reject);
      if (source === undefined) req.end();
      else createReadStream(source).pipe(req);
    });
  const forEachLimited = async (items, work) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < items.length) await work(items[next++]);
      }),
    );
  };
  const files = [...data.tree.hashes.keys()];
  try {
    const out = join(dir, 'out');
    mkdirSync(out);
    const results = [
      await timed('PUT file', server, () => send('PUT', `/${bigName}`, data.bigPath)),
      await timed('GET file', server, () => send('GET', `/${bigName}`, undefined, join(out, bigName))),
    ];
    await verifyBig(join(out, bigName), data.bigHash, 'loopback');
    rmSync(join(out, bigName));
    results.push(
      await timed('PUT tree', server, () =>
        forEachLimited(files, (rel) => send('PUT', `/tree/${rel}`, join(data.treeDir, rel))),
      ),
    );
    for (let d = 0; d < 100; d += 1)
      mkdirSync(join(out, `d${String(d).padStart(2, '0')}`), { recursive: true });
    results.push(
      await timed('GET tree', server, () =>
        forEachLimited(files, (rel) => send('GET', `/tree/${rel}`, undefined, join(out, rel))),
      ),
    );
    verifyTree(out, data.tree.hashes, 'loopback');
    return results;
  } finally {
    agent.destroy();
    await stopChild(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- MLflow 3.18.0: its own client against `mlflow server` with --artifacts-destination on local disk ---

const mlflowScript = `
import json, os, sys, time
import mlflow
op, uri = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(uri)
if op == "create":
    experiment = mlflow.create_experiment("artifacts-bench")
    print(json.dumps({"run_id": mlflow.MlflowClient().create_run(experiment).info.run_id}))
    sys.exit(0)
run_id, source = sys.argv[3], sys.argv[4]
start = time.perf_counter()
if op == "log_artifact":
    with mlflow.start_run(run_id=run_id):
        mlflow.log_artifact(source)
elif op == "log_artifacts":
    with mlflow.start_run(run_id=run_id):
        mlflow.log_artifacts(source, "tree")
else:
    mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=sys.argv[5], dst_path=source)
print(json.dumps({"ms": (time.perf_counter() - start) * 1000}))
`;

async function mlflowPath(data) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-artifacts-mlflow-'));
  const port = await freePort();
  const server = {
    child: startChild(
      join(dirname(python), 'mlflow'),
      [
        'server',
        '--backend-store-uri',
        `sqlite:///${join(dir, 'mlflow.db')}`,
        '--artifacts-destination',
        join(dir, 'artifacts'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        '1',
      ],
      {},
    ),
  };
  const base = `http://127.0.0.1:${port}`;
  const py = async (...argv) => {
    const { stdout } = await execFileAsync(python, ['-c', mlflowScript, ...argv], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, MLFLOW_TRACKING_URI: base },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1));
  };
  // Python's start-up and `import mlflow` take seconds; the script times only the call itself.
  const measured = async (label, ...argv) => {
    let reply;
    const result = await timed(label, server, async () => {
      reply = await py(...argv);
    });
    return { ...result, ms: reply.ms };
  };
  try {
    await waitForUrl(`${base}/health`, server.child, 180);
    const { run_id: runId } = await py('create', base);
    const bigOut = join(dir, 'download-big');
    const treeOut = join(dir, 'download-tree');
    const results = [
      await measured('upload file', 'log_artifact', base, runId, data.bigPath),
      await measured('download file', 'download', base, runId, bigOut, bigName),
    ];
    await verifyBig(join(bigOut, bigName), data.bigHash, 'mlflow');
    rmSync(bigOut, { recursive: true, force: true });
    results.push(await measured('upload tree', 'log_artifacts', base, runId, data.treeDir));
    results.push(await measured('download tree', 'download', base, runId, treeOut, 'tree'));
    verifyTree(join(treeOut, 'tree'), data.tree.hashes, 'mlflow');
    return results;
  } catch (error) {
    console.error(`mlflow server output:\n${server.child.output()}`);
    throw error;
  } finally {
    await stopChild(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- main ---

let s3;
try {
  console.log(
    `artifacts: one ${fmt(fileMiB)} MiB file and a tree of ${fmt(treeFiles)} files of 1-8 KiB, through @cairn/client ` +
      `(logArtifact / logArtifacts / downloadArtifacts); paths: ${paths.join(', ')}; every download hashed`,
  );
  let start = now();
  const data = { bigPath: join(root, bigName), treeDir: join(root, 'tree') };
  data.bigHash = writeBigFile(data.bigPath);
  data.tree = writeTree(data.treeDir);
  console.log(
    `generated in ${fmt((now() - start) / 1000, 1)} s (tree: ${fmt(data.tree.total / 1024 / 1024, 1)} MiB)`,
  );

  const rows = [];
  const add = (path, results) => {
    for (const result of results) rows.push({ path, ...result });
  };
  add('disk (cp)', await diskBaseline(data));
  add('loopback (node:http)', await loopbackBaseline(data));
  if (paths.some((path) => path.includes('s3'))) {
    start = now();
    s3 = await startTestS3Server();
    await s3.createBucket('bench');
    setTestS3Environment(s3);
    console.log(`moto S3 server on ${s3.endpoint} (ready in ${fmt((now() - start) / 1000, 1)} s)`);
  }
  for (const path of paths) {
    if (!allPaths.includes(path)) throw new Error(`unknown path ${path}; known: ${allPaths.join(', ')}`);
    add(path, await cairnPath(path, data, s3));
  }
  if (python !== undefined) add('MLflow 3.18.0 server', await mlflowPath(data));

  const rate = (row) =>
    /file/u.test(row.label)
      ? `${fmt(mibPerSecond(bigBytes, row.ms), 1).padStart(9)} MiB/s `
      : `${fmt(perSecond(treeFiles, row.ms), 0).padStart(9)} files/s`;
  const baselineFor = (row) => {
    const upload = /upload|PUT|copy/u.test(row.label);
    const file = /file/u.test(row.label);
    const wanted = row.path.startsWith('proxy') || row.path.startsWith('MLflow') ? 'loopback' : 'disk';
    return rows.find(
      (other) =>
        other.path.startsWith(wanted) &&
        /file/u.test(other.label) === file &&
        (wanted === 'disk' || /PUT/u.test(other.label) === upload),
    );
  };
  console.log('');
  console.log(
    `${'path'.padEnd(22)} ${'transfer'.padEnd(14)} ${'rate'.padStart(17)} ${'seconds'.padStart(8)}  ${'server peak RSS'.padStart(15)}  ${'client peak RSS'.padStart(15)}  vs baseline`,
  );
  for (const row of rows) {
    const baseline = baselineFor(row);
    const ratio =
      baseline === undefined || baseline === row
        ? ''
        : `${fmt(baseline.ms / row.ms, 2)}x ${baseline.path.split(' ')[0]} ${baseline.label}`;
    const mib = (value) => (value === undefined ? '' : `${fmt(value, 0)} MiB`);
    console.log(
      `${row.path.padEnd(22)} ${row.label.padEnd(14)} ${rate(row)} ${fmt(row.ms / 1000, 2).padStart(8)}  ${mib(row.server?.max).padStart(15)}  ${(row.path.startsWith('MLflow') ? '' : mib(row.clientMiB)).padStart(15)}  ${ratio}`,
    );
  }
  const mlflowRows = rows.filter((row) => row.path.startsWith('MLflow'));
  if (mlflowRows.length > 0) {
    console.log(
      `\nMLflow's server peak RSS is its uvicorn worker's; with the job-runner processes \`mlflow server\` starts, all ` +
        `its processes together peaked at ${fmt(Math.max(...mlflowRows.map((row) => row.server.sum)), 0)} MiB.`,
    );
    for (const path of ['proxy-local', 'proxy-s3']) {
      const mine = rows.filter((row) => row.path === path);
      if (mine.length === 0) continue;
      console.log(
        `${path} / MLflow (local artifacts): ${mine
          .map((row) => {
            const theirs = mlflowRows.find((other) => other.label === row.label);
            return `${row.label} ${fmt(theirs.ms / row.ms, 1)}x`;
          })
          .join(', ')}`,
      );
    }
  } else if (process.env.CAIRN_MLFLOW_PYTHON === undefined) {
    console.log('\nMLflow: not measured (set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0)');
  }
} finally {
  if (s3 !== undefined) await s3.stop();
  killAll();
  rmSync(root, { recursive: true, force: true });
}
