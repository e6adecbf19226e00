import { CairnError } from '@cairn/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { registerInvocationsRoute, type ScoringLimits } from './scoring-routes.js';
import {
  createServedModel,
  type ModelLoader,
  type ModelVersionResolver,
  type ServedModel,
} from './served-model.js';

/** Options of {@link registerRegisteredModelRoutes}. */
export interface RegisteredModelRoutesOptions extends ScoringLimits {
  readonly loader: ModelLoader;
  /** Resolves `models:/<name>@<alias>` to the version it names now (see `createRegistryVersionResolver`). */
  readonly resolver: ModelVersionResolver;
  /** Where the routes live (default `/serve`). */
  readonly prefix?: string;
  /** How often a served alias is checked for a move, in ms (default 30 000). */
  readonly pollIntervalMs?: number;
}

/**
 * The `models:/` URI a path under the prefix names: `<name>@<alias>/<rest>` or `<name>/<version>/<rest>`
 * (name and alias URL-encoded), and the rest (`invocations`, `health`).
 */
export function servedUriFromPath(path: string): { uri: string; rest: string } | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  const [first, second, third] = parts;
  if (first === undefined) return undefined;
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  };
  const head = decode(first);
  if (head === undefined) return undefined;
  if (head.includes('@') && second !== undefined && parts.length === 2) {
    return { uri: `models:/${head}`, rest: second };
  }
  if (second !== undefined && /^\d+$/u.test(second) && third !== undefined && parts.length === 3) {
    return { uri: `models:/${head}/${second}`, rest: third };
  }
  return undefined;
}

/**
 * Mounts registered models on a tracking server: `POST <prefix>/<name>@<alias>/invocations` and
 * `POST <prefix>/<name>/<version>/invocations` answer MLflow's scoring protocol, and `GET .../health` shows
 * what serves. Each model loads on its first request and stays loaded; an alias is followed and hot-swapped
 * as with `cairn models serve`. A model, version or alias that does not exist answers 404.
 */
export function registerRegisteredModelRoutes(
  app: FastifyInstance,
  options: RegisteredModelRoutesOptions,
): void {
  const prefix = (options.prefix ?? '/serve').replace(/\/+$/u, '');
  const served = new Map<string, Promise<ServedModel>>();

  const servedFor = (uri: string): Promise<ServedModel> => {
    let entry = served.get(uri);
    if (entry === undefined) {
      const model = createServedModel({
        uri,
        loader: options.loader,
        resolver: options.resolver,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      });
      entry = model.start().then(() => model);
      served.set(uri, entry);
      // A model that failed to load is tried again by the next request, not remembered as broken.
      entry.catch(() => served.delete(uri));
    }
    return entry;
  };

  const parse = (request: FastifyRequest, expected: string) => {
    const path = (request.params as { '*': string })['*'];
    const target = servedUriFromPath(path);
    if (target === undefined || target.rest !== expected) {
      throw new CairnError(
        'ENDPOINT_NOT_FOUND',
        `No such endpoint: ${prefix}/${path}; use ${prefix}/<name>@<alias>/${expected} or ${prefix}/<name>/<version>/${expected}`,
      );
    }
    return target.uri;
  };

  registerInvocationsRoute(
    app,
    `${prefix}/*`,
    async (request) => servedFor(parse(request, 'invocations')).catch(asServingError),
    options,
  );
  app.get(`${prefix}/*`, async (request, reply) => {
    const uri = parse(request, 'health');
    const model = await servedFor(uri).catch(asServingError);
    const status = model.status();
    return reply.send({
      status: status.lastError === undefined ? 'ok' : 'degraded',
      model_uri: status.requestedUri,
      serving:
        status.current === undefined
          ? null
          : { uri: status.current.uri, version: status.current.version ?? null },
      swaps: status.swaps,
      last_error: status.lastError ?? null,
    });
  });
  app.addHook('onClose', async () => {
    const models = await Promise.all([...served.values()].map((entry) => entry.catch(() => undefined)));
    await Promise.all(models.map((model) => model?.close()));
  });
}

/** A model, version or alias the registry does not know keeps its 404; any other load failure is a 500. */
function asServingError(error: unknown): never {
  if (CairnError.isInstance(error)) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new CairnError('INTERNAL_ERROR', `Could not load the model: ${message}`, { cause: error });
}
