import { systemTags, type TrackingStore } from '@cairn/core';

/**
 * Appends a model's metadata to the run's legacy `mlflow.log-model.history` tag (a JSON list), as MLflow's
 * stores' `record_logged_model` does. The run must be active.
 */
export async function appendLogModelHistory(
  store: TrackingStore,
  runId: string,
  model: object,
): Promise<void> {
  const run = await store.getRun(runId);
  const existing = run.data.tags.find((tag) => tag.key === systemTags.logModelHistory)?.value;
  let history: unknown[] = [];
  try {
    const parsed: unknown = existing === undefined ? [] : JSON.parse(existing);
    if (Array.isArray(parsed)) history = parsed;
  } catch {
    // A corrupt history tag is replaced rather than blocking every later log_model.
  }
  history.push(model);
  await store.logBatch({
    runId,
    tags: [{ key: systemTags.logModelHistory, value: JSON.stringify(history) }],
  });
}
