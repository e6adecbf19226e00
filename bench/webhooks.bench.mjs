// What registry webhooks cost the registry call: setModelVersionTag on the SQL store (SQLite) without webhooks
// (the baseline), then through withWebhookDelivery with 3 ACTIVE webhooks subscribed, delivering to a receiver
// on 127.0.0.1 that takes 20 ms to answer. Prints per-call latency (p50/p95) of each and the ratio, then how
// long the deliveries took to drain and their rate. Needs built packages (`pnpm build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookDispatcher, withWebhookDelivery } from '@cairn/registry/webhooks';
import { createSqlRegistryStore, createSqlWebhookStore } from '@cairn/store-sql';
import { fmt, machineLoad, now } from './bench-kit.mjs';

const calls = Number(process.env.CAIRN_BENCH_CALLS ?? (process.argv.includes('--quick') ? 200 : 2000));
const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-webhooks-'));
let received = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    received += 1;
    setTimeout(() => response.end('ok'), 20);
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${receiver.address().port}/hook`;

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function timeCalls(registry, name) {
  await registry.createRegisteredModel({ name });
  await registry.createModelVersion({ name, source: 's3://bench/model' });
  for (let index = 0; index < 50; index += 1)
    await registry.setModelVersionTag(name, '1', { key: `w${index}`, value: 'x' });
  const latencies = [];
  for (let index = 0; index < calls; index += 1) {
    const started = now();
    await registry.setModelVersionTag(name, '1', { key: `k${index % 100}`, value: String(index) });
    latencies.push(now() - started);
  }
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

try {
  const uri = `sqlite:///${join(dir, 'bench.db')}`;
  const plain = createSqlRegistryStore({ uri });
  const baseline = await timeCalls(plain, 'baseline');

  const webhooks = createSqlWebhookStore({ uri });
  for (const name of ['a', 'b', 'c']) {
    await webhooks.createWebhook({
      name,
      url,
      events: [{ entity: 'model_version_tag', action: 'set' }],
      secret: 'bench-secret',
    });
  }
  const dispatcher = createWebhookDispatcher(webhooks, {
    allowPrivateTargets: true,
    allowedSchemes: ['http'],
  });
  const hooked = withWebhookDelivery(plain, dispatcher);
  const drainStarted = now();
  const withHooks = await timeCalls(hooked, 'hooked');
  await dispatcher.drain();
  const drainMs = now() - drainStarted;

  console.log(`webhooks (${calls} setModelVersionTag calls on SQLite; ${machineLoad()})`);
  console.log(
    `  baseline (no webhooks):       p50 ${fmt(baseline.p50, 3)} ms  p95 ${fmt(baseline.p95, 3)} ms`,
  );
  console.log(
    `  3 webhooks, 20 ms receiver:   p50 ${fmt(withHooks.p50, 3)} ms  p95 ${fmt(withHooks.p95, 3)} ms`,
  );
  console.log(
    `  ratio to baseline:            p50 ${fmt(withHooks.p50 / baseline.p50, 2)}x  p95 ${fmt(withHooks.p95 / baseline.p95, 2)}x`,
  );
  console.log(
    `  deliveries: ${received} received in ${fmt(drainMs)} ms from the first call to drained (${fmt((received / drainMs) * 1000)}/s, 10 in flight)`,
  );
  await webhooks.close();
  await plain.close();
} finally {
  receiver.closeAllConnections();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
