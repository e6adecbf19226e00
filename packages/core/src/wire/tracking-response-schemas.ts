import { z } from 'zod';
import { lifecycleStageSchema, runStatusNumber } from '../entities/enums.js';
import type { Metric, Run } from '../entities/tracking.js';
import { metricBody } from './tracking-request-schemas.js';
import { wireDouble, wireEnum, wireInt64, wireKeyValue, wireList, wireText } from './wire-types.js';

// Response bodies of MLflow's tracking RPCs (mlflow/protos/service.proto) as a client reads them: the
// lists protobuf JSON omits when empty read as [], int64 may be strings, doubles may be "NaN"/"Infinity".
// Unknown fields are dropped, not refused: newer MLflow servers add fields.

/** A metric point; a missing step reads as 0. */
export const wireMetric = metricBody.transform(
  ({ step, ...metric }): Metric => ({ ...metric, step: step ?? 0 }),
);

/** A metric point with its run (`MetricWithRunId`, what get-history-bulk-interval answers). */
export const wireMetricWithRunId = z.object({
  key: z.string(),
  value: wireDouble(),
  timestamp: wireInt64(),
  step: wireInt64()
    .optional()
    .transform((step) => step ?? 0),
  run_id: z.string(),
});

export const wireExperiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: wireText(),
  lifecycle_stage: lifecycleStageSchema,
  creation_time: wireInt64().optional(),
  last_update_time: wireInt64().optional(),
  tags: wireList(wireKeyValue()),
});

export const wireRunInfo = z
  .object({
    run_id: z.string(),
    run_uuid: z.string().optional(),
    run_name: wireText(),
    experiment_id: z.string(),
    user_id: wireText(),
    status: wireEnum(runStatusNumber),
    start_time: wireInt64(),
    end_time: wireInt64().optional(),
    artifact_uri: wireText(),
    lifecycle_stage: lifecycleStageSchema,
  })
  .transform(({ run_uuid, ...info }) => ({ ...info, run_uuid: run_uuid ?? info.run_id }));

const wireDatasetInput = z.object({
  tags: wireList(wireKeyValue()),
  dataset: z.object({
    name: z.string(),
    digest: z.string(),
    source_type: z.string(),
    source: z.string(),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});

const wireModelOutput = z.object({ model_id: z.string(), step: wireInt64() });

export const wireRun = z
  .object({
    info: wireRunInfo,
    data: z
      .object({
        metrics: wireList(wireMetric),
        params: wireList(wireKeyValue()),
        tags: wireList(wireKeyValue()),
      })
      .optional(),
    inputs: z
      .object({
        dataset_inputs: wireList(wireDatasetInput),
        model_inputs: z.array(z.object({ model_id: z.string() })).optional(),
      })
      .optional(),
    outputs: z.object({ model_outputs: wireList(wireModelOutput) }).optional(),
  })
  .transform((run): Run => {
    const result: Run = {
      info: run.info,
      data: run.data ?? { metrics: [], params: [], tags: [] },
      inputs: {
        dataset_inputs: run.inputs?.dataset_inputs ?? [],
        ...(run.inputs?.model_inputs ? { model_inputs: run.inputs.model_inputs } : {}),
      },
    };
    if (run.outputs) result.outputs = run.outputs;
    return result;
  });

const pageToken = { next_page_token: z.string().optional() };

/** `experiments/create`. */
export const createExperimentResponse = z.object({ experiment_id: z.string() });
/** `experiments/get`, `experiments/get-by-name`. */
export const getExperimentResponse = z.object({ experiment: wireExperiment });
/** `experiments/search`. */
export const searchExperimentsResponse = z.object({ experiments: wireList(wireExperiment), ...pageToken });
/** `runs/create`, `runs/get`. */
export const runResponse = z.object({ run: wireRun });
/** `runs/update`. */
export const updateRunResponse = z.object({ run_info: wireRunInfo });
/** `runs/search`. */
export const searchRunsResponse = z.object({ runs: wireList(wireRun), ...pageToken });
/** Cairn's `cairn/runs/list-deleted`. */
export const listDeletedRunsResponse = z.object({
  runs: wireList(z.object({ info: wireRunInfo, deleted_time: wireInt64().optional() })),
});
/** `metrics/get-history`. */
export const getMetricHistoryResponse = z.object({ metrics: wireList(wireMetric), ...pageToken });
/** `metrics/get-history-bulk-interval`. */
export const getMetricHistoryBulkIntervalResponse = z.object({ metrics: wireList(wireMetricWithRunId) });
/** Cairn's `metrics/get-history-downsampled` (each run's lowest and highest point per step bucket). */
export const getMetricHistoryDownsampledResponse = z.object({ metrics: wireList(wireMetricWithRunId) });
/** `experiments/search-datasets`. */
export const searchDatasetsResponse = z.object({
  dataset_summaries: wireList(
    z.object({
      experiment_id: z.string(),
      name: z.string(),
      digest: z.string(),
      context: z.string().optional(),
    }),
  ),
});
