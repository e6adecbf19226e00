import type { TrackingStore } from '@cairn/core';
import { describe } from 'vitest';
import { useFreshStore } from '../fresh-store.js';
import { type DescribeStoreOptions, describeNamedSuites } from '../named-suites.js';
import { concurrencySuite } from './concurrency-suite.js';
import { experimentTagsSuite } from './experiment-tags-suite.js';
import { experimentsSuite } from './experiments-suite.js';
import { inputsSuite } from './inputs-suite.js';
import { logBatchSuite } from './log-batch-suite.js';
import { loggedModelsSuite } from './logged-models-suite.js';
import { metricHistoryDownsamplingSuite } from './metric-history-downsampling-suite.js';
import { metricHistorySamplingSuite } from './metric-history-sampling-suite.js';
import { metricHistorySuite } from './metric-history-suite.js';
import { metricsSuite } from './metrics-suite.js';
import { nestedRunsSuite } from './nested-runs-suite.js';
import { paginationSuite } from './pagination-suite.js';
import { paramsSuite } from './params-suite.js';
import { purgeSuite } from './purge-suite.js';
import { runNamesSuite } from './run-names-suite.js';
import { runsSuite } from './runs-suite.js';
import { searchDatasetsSuite } from './search-datasets-suite.js';
import { searchExperimentsSuite } from './search-experiments-suite.js';
import { searchRunsFilterSuite } from './search-runs-filter-suite.js';
import { searchRunsOrderSuite } from './search-runs-order-suite.js';
import { tagsSuite } from './tags-suite.js';
import { createTrackingContext, type TrackingSuiteContext } from './tracking-context.js';
import { validationSuite } from './validation-suite.js';

/** The named suites of {@link describeTrackingStore}, in run order. */
export const trackingSuiteNames = [
  'experiments',
  'experiment-tags',
  'runs',
  'purge',
  'run-names',
  'params',
  'metrics',
  'metric-history',
  'metric-history-sampling',
  'metric-history-downsampling',
  'tags',
  'log-batch',
  'inputs',
  'search-datasets',
  'logged-models',
  'nested-runs',
  'search-runs',
  'search-experiments',
  'pagination',
  'concurrency',
  'validation',
] as const;

/** The name of one suite of {@link describeTrackingStore}. */
export type TrackingSuiteName = (typeof trackingSuiteNames)[number];

const suites: Record<TrackingSuiteName, (context: TrackingSuiteContext) => void> = {
  experiments: experimentsSuite,
  'experiment-tags': experimentTagsSuite,
  runs: runsSuite,
  purge: purgeSuite,
  'run-names': runNamesSuite,
  params: paramsSuite,
  metrics: metricsSuite,
  'metric-history': metricHistorySuite,
  'metric-history-sampling': metricHistorySamplingSuite,
  'metric-history-downsampling': metricHistoryDownsamplingSuite,
  tags: tagsSuite,
  'log-batch': logBatchSuite,
  inputs: inputsSuite,
  'search-datasets': searchDatasetsSuite,
  'logged-models': loggedModelsSuite,
  'nested-runs': nestedRunsSuite,
  'search-runs': (context) => {
    searchRunsFilterSuite(context);
    searchRunsOrderSuite(context);
  },
  'search-experiments': searchExperimentsSuite,
  pagination: paginationSuite,
  concurrency: concurrencySuite,
  validation: validationSuite,
};

/**
 * Declares the tracking-store conformance suites (MLflow's semantics) for a store. `factory` is called
 * before every test for a fresh, empty store, which is closed after the test.
 */
export function describeTrackingStore(
  name: string,
  factory: () => TrackingStore | Promise<TrackingStore>,
  options: DescribeStoreOptions = {},
): void {
  describe(`TrackingStore conformance: ${name}`, () => {
    const context = createTrackingContext(useFreshStore('tracking', factory));
    describeNamedSuites(
      trackingSuiteNames.map((suiteName) => [suiteName, suites[suiteName]] as const),
      context,
      options,
    );
  });
}
