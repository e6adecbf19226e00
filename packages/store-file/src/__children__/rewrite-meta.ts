// Rewrites a run's meta.yaml in a loop until killed: `rewrite-meta.ts <root> <run id>`.
import { createFileTrackingStore } from '../file-tracking-store.js';

const [root = '', runId = ''] = process.argv.slice(2);
const store = createFileTrackingStore({ root });
process.stdout.write('ready\n');
for (let i = 0; ; i += 1) {
  await store.updateRun({ runId, runName: `name-${i}-${'x'.repeat(i % 200)}`, endTime: i });
}
