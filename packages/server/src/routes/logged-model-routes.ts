import { z } from 'zod';
import { wireInt64, wireRepeated } from '../wire/wire-types.js';
import type { RouteTable } from './route-table.js';

export const searchLoggedModelsRequest = z.object({
  experiment_ids: wireRepeated(z.string()).optional(),
  filter: z.string().optional(),
  max_results: wireInt64().optional(),
  page_token: z.string().optional(),
});

/**
 * MLflow 3 logged models are not in the TrackingStore contract yet, so this server holds none. The official
 * client still searches them whenever it lists a run's artifact sub-directory (a directory may be a model's
 * name), so search answers an empty page instead of ENDPOINT_NOT_FOUND, which the client would raise.
 */
export function registerLoggedModelRoutes(routes: RouteTable): void {
  routes.rpc(
    {
      methods: ['POST'],
      path: '/mlflow/logged-models/search',
      summary: 'Search MLflow 3 logged models (this server stores none yet: always an empty page)',
      request: searchLoggedModelsRequest,
    },
    async () => ({}),
  );
}
