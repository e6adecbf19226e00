// The server side of bench/metric-history.bench.mjs, forked with --expose-gc so its memory and event loop
// are its own. Usage (fork): metric-history-server.mjs <sqlite-db-path> [mmap|no-mmap]
// `no-mmap` keeps the store from memory-mapping the database (it maps 1 GiB by default, whose touched pages
// count in RSS although they are the OS's page cache), to show RSS without them.
// It serves Cairn's REST API over the SQL store, plus GET /bench/whole-history?run_id=&metric_key=, the
// baseline: the whole history read and serialised into one string before answering (what get-history did
// before it streamed). It sends {type:'listening', url} when ready and answers IPC messages:
//   {type:'reset'}: collect garbage, reset the event-loop delay histogram and the peak RSS (VmHWM);
//   {type:'stats'}: collect garbage and report RSS and its anonymous part (RssAnon: heap and native memory,
//                   not file pages), their peaks since the reset (RssAnon sampled every 10 ms) and the
//                   event-loop delays.
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer } from '@cairn/server';
import { createSqlTrackingStore } from '@cairn/store-sql';
import Database from 'better-sqlite3';

const [dbPath, mapping = 'mmap'] = process.argv.slice(2);

/** better-sqlite3 with the store's `mmap_size` pragma turned into 0. */
class UnmappedDatabase extends Database {
  pragma(source, options) {
    return super.pragma(source.startsWith('mmap_size') ? 'mmap_size = 0' : source, options);
  }
}

const trackingStore = createSqlTrackingStore({
  uri: `sqlite:///${dbPath}`,
  artifactRoot: 'mlflow-artifacts:',
  ...(mapping === 'no-mmap' ? { modules: { betterSqlite3: UnmappedDatabase } } : {}),
});
const app = createServer({ trackingStore });

/** Protobuf JSON's non-finite doubles, as get-history writes them. */
const wireJson = (body) =>
  JSON.stringify(body, (_key, value) =>
    typeof value === 'number' && !Number.isFinite(value)
      ? Number.isNaN(value)
        ? 'NaN'
        : value > 0
          ? 'Infinity'
          : '-Infinity'
      : value,
  );

app.get('/bench/whole-history', async (request, reply) => {
  const { run_id: runId, metric_key: metricKey } = request.query;
  const metrics = [];
  let pageToken;
  do {
    const page = await trackingStore.getMetricHistory({ runId, metricKey, pageToken });
    metrics.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return reply.type('application/json').send(wireJson({ metrics }));
});

const anonMb = () =>
  Number(/RssAnon:\s+(\d+)/u.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
let peakAnonMb = 0;
setInterval(() => {
  peakAnonMb = Math.max(peakAnonMb, anonMb());
}, 10).unref();

// The longest gap between ticks of a 5 ms timer: what a request arriving meanwhile would have waited.
let lastTick = performance.now();
let longestGapMs = 0;
setInterval(() => {
  const now = performance.now();
  longestGapMs = Math.max(longestGapMs, now - lastTick - 5);
  lastTick = now;
}, 5).unref();

const delays = monitorEventLoopDelay({ resolution: 5 });
delays.enable();
const mb = (bytes) => bytes / 1024 / 1024;
const peakRssMb = () =>
  Number(/VmHWM:\s+(\d+)/u.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const collect = async () => {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
};

process.on('message', async (message) => {
  if (message.type === 'reset') {
    await collect();
    delays.reset();
    writeFileSync('/proc/self/clear_refs', '5');
    peakAnonMb = anonMb();
    longestGapMs = 0;
    process.send({ type: 'reset' });
  } else if (message.type === 'stats') {
    const maxDelayMs = delays.max / 1e6;
    const p99DelayMs = delays.percentile(99) / 1e6;
    const peak = peakRssMb();
    const gapMs = longestGapMs;
    // What stays once the process has been idle for a moment (V8 gives memory back when idle).
    await new Promise((resolve) => setTimeout(resolve, message.settleMs ?? 0));
    await collect();
    process.send({
      type: 'stats',
      rssMb: mb(process.memoryUsage.rss()),
      anonMb: anonMb(),
      peakRssMb: peak,
      peakAnonMb,
      maxDelayMs,
      longestGapMs: gapMs,
      p99DelayMs,
    });
  }
});

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send({ type: 'listening', url });
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => trackingStore.close())
    .finally(() => process.exit(0));
});
