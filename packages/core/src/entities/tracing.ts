import { z } from 'zod';
import { traceStateSchema } from './enums.js';

/** Where a trace lives; Cairn stores traces in an MLflow experiment. */
export const traceLocationSchema = z.object({
  type: z.enum(['TRACE_LOCATION_TYPE_UNSPECIFIED', 'MLFLOW_EXPERIMENT', 'INFERENCE_TABLE']),
  mlflow_experiment: z.object({ experiment_id: z.string() }).optional(),
});
export type TraceLocation = z.infer<typeof traceLocationSchema>;

/**
 * A trace's metadata (MLflow's TraceInfoV3). `trace_id` is `tr-` + 32 hex characters, chosen by the client.
 * `request_time` is milliseconds since the epoch and `execution_duration` milliseconds (the wire form
 * uses an RFC 3339 Timestamp and a Duration; the REST layer converts).
 */
export const traceInfoSchema = z.object({
  trace_id: z.string(),
  client_request_id: z.string().optional(),
  trace_location: traceLocationSchema,
  request_preview: z.string().optional(),
  response_preview: z.string().optional(),
  request_time: z.number().int(),
  execution_duration: z.number().int().optional(),
  state: traceStateSchema,
  trace_metadata: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
});
export type TraceInfo = z.infer<typeof traceInfoSchema>;

/** A span event (OpenTelemetry). */
export const spanEventSchema = z.object({
  name: z.string(),
  time_unix_nano: z.string(),
  attributes: z.record(z.string(), z.unknown()),
});
export type SpanEvent = z.infer<typeof spanEventSchema>;

/**
 * One span of a trace, in the shape MLflow keeps in `traces.json`: OpenTelemetry fields with hex ids and
 * attributes holding JSON-dumped values (`mlflow.spanType`, `mlflow.spanInputs`, `mlflow.spanOutputs`...).
 * Nanosecond times are decimal strings because they exceed 2^53.
 */
export const spanSchema = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string().optional(),
  name: z.string(),
  start_time_unix_nano: z.string(),
  end_time_unix_nano: z.string().optional(),
  status: z.object({
    code: z.enum(['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']),
    message: z.string(),
  }),
  attributes: z.record(z.string(), z.unknown()),
  events: z.array(spanEventSchema),
});
export type Span = z.infer<typeof spanSchema>;
