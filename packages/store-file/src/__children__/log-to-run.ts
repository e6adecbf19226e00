// A separate process logging to one run: `log-to-run.ts <root> <run id> <writer name> <points> <tags>`.
import { createFileTrackingStore } from '../file-tracking-store.js';

const [root = '', runId = '', writer = '', points = '0', tags = '0'] = process.argv.slice(2);
const store = createFileTrackingStore({ root });
const total = Number(points);
for (let step = 0; step < total; step += 100) {
  const metrics = Array.from({ length: Math.min(100, total - step) }, (_, i) => ({
    key: `loss_${writer}`,
    value: step + i,
    timestamp: 1_000 + step + i,
    step: step + i,
  }));
  // Both writers also append to one shared key, interleaving with each other.
  metrics.push({
    key: 'shared',
    value: step,
    timestamp: 1_000 + step,
    step: writer === 'a' ? step : step + 1,
  });
  await store.logBatch({ runId, metrics });
}
for (let i = 0; i < Number(tags); i += 1) {
  await store.logBatch({
    runId,
    tags: [{ key: `tag_${writer}_${i}`, value: String(i) }],
    params: [{ key: `p_${writer}_${i}`, value: 'v' }],
  });
}
await store.updateRun({ runId, runName: `renamed-by-${writer}` });
