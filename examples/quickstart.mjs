// Logs one run the way a training script would, with Cairn's fluent API (MLflow's `mlflow.*`).
// With no configuration it writes ./mlflow.db and ./mlartifacts. Run after a build: `node examples/quickstart.mjs` (the README's demo does both), then look at it with
// `node apps/cli/dist/cli.js runs list --experiment-name quickstart`.
import { logMetric, logParams, logText, setExperiment, setTags, withRun } from '@cairn/client';

await setExperiment('quickstart');
const runId = await withRun({ runName: 'quickstart-run' }, async (run) => {
  await logParams({ learning_rate: 0.01, epochs: 100, optimizer: 'adam' });
  await setTags({ team: 'vision', 'model.family': 'mlp' });
  for (let step = 0; step < 100; step += 1) {
    // No await needed: points are queued and written in batches in the background.
    logMetric('loss', Math.exp(-step / 25), { step });
    logMetric('accuracy', 1 - Math.exp(-step / 20) * 0.9, { step });
  }
  await logText('A tiny run logged by examples/quickstart.mjs\n', 'notes/README.txt');
  return run.runId;
});
console.log(`Logged run ${runId} to experiment "quickstart"`);
