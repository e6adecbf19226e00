import type { Span, TraceInfo } from '../entities/tracing.js';
import type { Page, PageRequest } from './page.js';

/** What a trace store can do beyond the required surface. */
export interface TraceStoreCapabilities {
  /** Spans are kept in the store (MLflow's `mlflow.trace.spansLocation=TRACKING_STORE`), not only as artifacts. */
  readonly storesSpans: boolean;
  /** Filters and ordering run inside the backend rather than in memory. */
  readonly searchPushdown: boolean;
}

/** Arguments of {@link TraceStore.searchTraces}. */
export interface SearchTracesInput extends PageRequest {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
}

/**
 * The contract every trace backend implements: trace metadata, spans, tags and search. Traces arrive
 * after their spans (MLflow's client sends OTLP spans first), so both writes are upserts. Implemented by
 * a later issue; declared now so stores can plan for it.
 */
export interface TraceStore {
  /** The version of this contract the store implements. */
  readonly specificationVersion: 'v1';
  /** What the store supports beyond the required surface. */
  readonly capabilities: TraceStoreCapabilities;

  /** Creates or completes a trace's metadata (keeping the client's `tr-` id) and returns it as stored. */
  upsertTraceInfo(info: TraceInfo): Promise<TraceInfo>;
  /** Returns a trace's metadata; RESOURCE_DOES_NOT_EXIST if unknown. */
  getTraceInfo(traceId: string): Promise<TraceInfo>;
  /** Adds spans to a trace (creating a placeholder trace if its info has not arrived yet). */
  logSpans(experimentId: string, spans: Span[]): Promise<void>;
  /** Returns a trace's spans in start order. */
  getSpans(traceId: string): Promise<Span[]>;
  /** Lists traces of the given experiments matching a filter, in order, one page at a time. */
  searchTraces(input: SearchTracesInput): Promise<Page<TraceInfo>>;
  /** Sets (or overwrites) a trace tag. */
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  /** Deletes a trace tag. */
  deleteTraceTag(traceId: string, key: string): Promise<void>;
  /** Deletes traces by id, or the oldest ones before a time (at most `maxTraces`); returns how many went. */
  deleteTraces(
    experimentId: string,
    selection: { traceIds: string[] } | { maxTimestampMillis: number; maxTraces?: number },
  ): Promise<number>;
  /** Releases resources. */
  close(): Promise<void>;
}
