import type { Run, SearchRunsInput } from '@cairn/core';
import { datasetInput, metric, type TrackingSuiteContext } from './tracking-context.js';

/** Three runs with known data, as the search suites use them. */
export interface SearchFixture {
  experimentId: string;
  ids: { alpha: string; beta: string; gamma: string };
  /** Searches the fixture's experiment and returns run names in result order. */
  names(input?: Omit<SearchRunsInput, 'experimentIds'>): Promise<string[]>;
}

/**
 * alpha: acc 0.9, loss 0.3, lr 0.1, model cnn, stage prod, team Vision, ana, FINISHED, start 1000, end 5000, train@d1 (training)
 * beta:  acc 0.7, lr 0.01, model rnn, stage dev, bo, RUNNING, start 2000, eval@d2 (evaluation)
 * gamma: loss 0.5, model CNN-large, ana, FAILED, start 3000, end 4000, no datasets
 */
export async function createSearchFixture(context: TrackingSuiteContext): Promise<SearchFixture> {
  const store = context.store();
  const experimentId = await context.createExperiment('search');
  const make = async (runName: string, userId: string, startTime: number): Promise<Run> =>
    store.createRun({ experimentId, runName, userId, startTime });
  const alpha = await make('alpha', 'ana', 1000);
  const beta = await make('beta', 'bo', 2000);
  const gamma = await make('gamma', 'ana', 3000);
  await store.logBatch({
    runId: alpha.info.run_id,
    metrics: [metric('acc', 0.9), metric('loss', 0.3), metric('my metric', 1)],
    params: [
      { key: 'lr', value: '0.1' },
      { key: 'model', value: 'cnn' },
    ],
    tags: [
      { key: 'stage', value: 'prod' },
      { key: 'team', value: 'Vision' },
    ],
  });
  await store.logBatch({
    runId: beta.info.run_id,
    metrics: [metric('acc', 0.7)],
    params: [
      { key: 'lr', value: '0.01' },
      { key: 'model', value: 'rnn' },
    ],
    tags: [{ key: 'stage', value: 'dev' }],
  });
  await store.logBatch({
    runId: gamma.info.run_id,
    metrics: [metric('loss', 0.5)],
    params: [{ key: 'model', value: 'CNN-large' }],
  });
  await store.updateRun({ runId: alpha.info.run_id, status: 'FINISHED', endTime: 5000 });
  await store.updateRun({ runId: gamma.info.run_id, status: 'FAILED', endTime: 4000 });
  await store.logInputs({ runId: alpha.info.run_id, datasets: [datasetInput('train', 'd1', 'training')] });
  await store.logInputs({ runId: beta.info.run_id, datasets: [datasetInput('eval', 'd2', 'evaluation')] });
  return {
    experimentId,
    ids: { alpha: alpha.info.run_id, beta: beta.info.run_id, gamma: gamma.info.run_id },
    async names(input = {}) {
      const page = await context.store().searchRuns({ ...input, experimentIds: [experimentId] });
      return page.items.map((run) => run.info.run_name);
    },
  };
}

/** Sorted copy, for assertions on result sets whose order is not the point. */
export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
