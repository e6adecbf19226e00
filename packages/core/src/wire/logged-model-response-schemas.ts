import { z } from 'zod';
import { loggedModelStatusNumber } from '../entities/enums.js';
import type { LoggedModel } from '../entities/logged-model.js';
import { wireMetric } from './tracking-response-schemas.js';
import { wireEnum, wireInt64, wireKeyValue, wireList } from './wire-types.js';

// Response bodies of MLflow 3's logged-model RPCs as a client reads them.

export const wireLoggedModel = z
  .object({
    info: z.object({
      model_id: z.string(),
      experiment_id: z.string(),
      name: z.string(),
      creation_timestamp_ms: wireInt64().optional(),
      last_updated_timestamp_ms: wireInt64().optional(),
      artifact_uri: z.string(),
      status: wireEnum(loggedModelStatusNumber).optional(),
      // An int64 in MLflow's proto, a string in Cairn's entity.
      creator_id: z.union([z.string(), z.number()]).transform(String).optional(),
      model_type: z.string().optional(),
      source_run_id: z.string().optional(),
      status_message: z.string().optional(),
      tags: wireList(wireKeyValue()),
      registrations: z.array(z.object({ name: z.string(), version: z.string() })).optional(),
    }),
    data: z.object({ params: wireList(wireKeyValue()), metrics: wireList(wireMetric) }).optional(),
  })
  .transform(
    ({ info, data }): LoggedModel => ({
      info: {
        ...info,
        creation_timestamp_ms: info.creation_timestamp_ms ?? 0,
        last_updated_timestamp_ms: info.last_updated_timestamp_ms ?? 0,
        status: info.status ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED',
      },
      data: data ?? { params: [], metrics: [] },
    }),
  );

/** `logged-models` (create), `logged-models/{id}` (get, finalize). */
export const loggedModelResponse = z.object({ model: wireLoggedModel });
/** `logged-models/search`. */
export const searchLoggedModelsResponse = z.object({
  models: wireList(wireLoggedModel),
  next_page_token: z.string().optional(),
});
