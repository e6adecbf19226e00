import { CairnError } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { apiPrefixes } from './route-table.js';

/**
 * Without a registry store every registry RPC answers 501 NOT_IMPLEMENTED with a message saying why,
 * instead of a 404 the client would read as a missing endpoint.
 */
export function registerRegistryUnavailable(app: FastifyInstance): void {
  for (const prefix of apiPrefixes) {
    for (const area of ['registered-models', 'model-versions']) {
      app.all(`${prefix}/mlflow/${area}/*`, async () => {
        throw new CairnError(
          'NOT_IMPLEMENTED',
          'This Cairn server has no model registry: its backend store does not support one yet. Use a SQL or memory backend store for the model registry.',
        );
      });
    }
  }
}
