import type { Page } from '../contracts/page.js';
import type { Experiment, Run } from '../entities/tracking.js';

/** Arguments shared by the in-memory searches. */
export interface InMemorySearchInput {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

/**
 * Filters, orders and pages runs in memory, for stores that cannot push a search down. The caller has
 * already narrowed `runs` to the requested experiments and view type. Pages are keyset-based, so runs
 * inserted between two calls are never repeated or skipped.
 */
export function searchRunsInMemory(runs: Iterable<Run>, input: InMemorySearchInput): Page<Run> {
  void runs;
  void input;
  throw new Error('PENDING (search helper)');
}

/** The same as {@link searchRunsInMemory}, for experiments. */
export function searchExperimentsInMemory(experiments: Iterable<Experiment>, input: InMemorySearchInput): Page<Experiment> {
  void experiments;
  void input;
  throw new Error('PENDING (search helper)');
}
