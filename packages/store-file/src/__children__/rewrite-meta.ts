// Rewrites a run's meta.yaml in a loop until killed: `rewrite-meta.ts <root> <run id> <first end time>`.
import { createFileTrackingStore } from '../file-tracking-store.js';

const [root = '', runId = '', first = '0'] = process.argv.slice(2);
const store = createFileTrackingStore({ root });
for (let i = 0; ; i += 1) {
  const endTime = Number(first) + i;
  await store.updateRun({ runId, runName: `name-${endTime}-${'x'.repeat(i % 200)}`, endTime });
  // Only once a rewrite has landed, so the parent kills a process that is really writing (and that got
  // past any lock a killed predecessor left behind).
  if (i === 0) process.stdout.write('ready\n');
}
