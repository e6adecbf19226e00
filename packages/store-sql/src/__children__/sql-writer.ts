// One writer process: `sql-writer.ts <uri> <writer> <experiments> <runs per experiment> <points per run>`.
// Creates experiments and runs, logs to them and to one shared run, and prints the ids it got as JSON.
import { createSqlTrackingStore } from '../sql-tracking-store.js';

const [uri = '', writer = '', experiments = '0', runsPer = '0', pointsPer = '0', sharedRunId = ''] =
  process.argv.slice(2);
const store = createSqlTrackingStore({ uri });
const experimentIds: string[] = [];
const runIds: string[] = [];
for (let e = 0; e < Number(experiments); e += 1) {
  const experimentId = await store.createExperiment({ name: `writer-${writer}-${e}` });
  experimentIds.push(experimentId);
  for (let r = 0; r < Number(runsPer); r += 1) {
    const run = await store.createRun({ experimentId, runName: `${writer}-${e}-${r}` });
    runIds.push(run.info.run_id);
    const metrics = Array.from({ length: Number(pointsPer) }, (_, step) => ({
      key: 'loss',
      value: step,
      timestamp: 1_000 + step,
      step,
    }));
    await store.logBatch({ runId: run.info.run_id, metrics, params: [{ key: 'writer', value: writer }] });
    // Every writer also appends to the one run they all share, interleaving their transactions.
    await store.logBatch({
      runId: sharedRunId,
      metrics: [{ key: `from_${writer}`, value: r, timestamp: 2_000 + e * 1_000 + r, step: e * 1_000 + r }],
    });
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ experimentIds, runIds })}\n`);
