import type { CreateRunInput, DatasetInput, Run, TrackingStore } from '@cairn/core';

/** What every tracking suite receives: the store of the current test and shortcuts to populate it. */
export interface TrackingSuiteContext {
  /** The store created for the current test. */
  store(): TrackingStore;
  /** Creates an experiment with a name unique to this process and returns its id. */
  createExperiment(prefix?: string): Promise<string>;
  /** Creates a run, in a fresh experiment unless `experimentId` is given. */
  createRun(input?: Partial<CreateRunInput>): Promise<Run>;
}

let counter = 0;

/** A name no other test in this process uses. */
export function uniqueName(prefix = 'exp'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Builds a tracking context over a store getter. */
export function createTrackingContext(store: () => TrackingStore): TrackingSuiteContext {
  const context: TrackingSuiteContext = {
    store,
    createExperiment: (prefix) => store().createExperiment({ name: uniqueName(prefix) }),
    createRun: async (input = {}) => {
      const experimentId = input.experimentId ?? (await context.createExperiment('run-exp'));
      return store().createRun({ ...input, experimentId });
    },
  };
  return context;
}

/** A dataset input for tests. */
export function datasetInput(name: string, digest: string, context?: string): DatasetInput {
  return {
    tags: context === undefined ? [] : [{ key: 'mlflow.data.context', value: context }],
    dataset: { name, digest, source_type: 'local', source: JSON.stringify({ uri: `/data/${name}.csv` }) },
  };
}

/** A metric point for tests. */
export function metric(key: string, value: number, timestamp = 1000, step = 0) {
  return { key, value, timestamp, step };
}
