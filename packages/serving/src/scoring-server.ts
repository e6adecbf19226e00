import Fastify, { type FastifyInstance } from 'fastify';
import { registerInvocationsRoute, type ScoringLimits } from './scoring-routes.js';
import {
  createServedModel,
  type ModelLoader,
  type ModelVersionResolver,
  type ServedModel,
  type ServedModelEvent,
} from './served-model.js';

/** The MLflow release whose scoring protocol this server speaks (answered by `GET /version`). */
export const scoringProtocolVersion = '3.18.0';

/** Options of {@link createScoringServer}. */
export interface ScoringServerOptions extends ScoringLimits {
  /** The model to serve, already started (see `createServedModel`). The server closes it when it closes. */
  readonly served: ServedModel;
  /** Log one line per request (Fastify's pino logger); default false. */
  readonly logger?: boolean;
}

/**
 * MLflow's scoring server over one served model: `POST /invocations`, `GET /ping` and `GET /health` (200
 * once the model is loaded; `/health` also shows the version serving and the last failed swap) and
 * `GET /version`.
 */
export function createScoringServer(options: ScoringServerOptions): FastifyInstance {
  const { served } = options;
  const app = Fastify({ logger: options.logger ?? false }) as unknown as FastifyInstance;
  app.get('/ping', async (_request, reply) => {
    const loaded = served.status().current !== undefined;
    return reply
      .code(loaded ? 200 : 404)
      .type('application/json')
      .send('\n');
  });
  app.get('/health', async (_request, reply) => {
    const status = served.status();
    return reply
      .code(status.current !== undefined ? 200 : 404)
      .type('application/json')
      .send({
        status: status.current === undefined ? 'loading' : status.lastError === undefined ? 'ok' : 'degraded',
        model_uri: status.requestedUri,
        serving:
          status.current === undefined
            ? null
            : { uri: status.current.uri, version: status.current.version ?? null },
        swaps: status.swaps,
        last_error: status.lastError ?? null,
      });
  });
  app.get('/version', async (_request, reply) =>
    reply.code(200).type('application/json').send(scoringProtocolVersion),
  );
  registerInvocationsRoute(app, '/invocations', async () => served, options);
  app.addHook('onClose', async () => {
    await served.close();
  });
  return app;
}

/** Options of {@link serveModel}. */
export interface ServeModelOptions extends ScoringLimits {
  /** The model to serve (`models:/churn@champion`, `runs:/<id>/model`, a directory). */
  readonly uri: string;
  readonly loader: ModelLoader;
  /** Resolves `models:/` URIs to versions (see `createRegistryVersionResolver`); needed to follow an alias. */
  readonly resolver?: ModelVersionResolver;
  /** How often to check whether the alias moved, in ms (default 30 000; 0 never). */
  readonly pollIntervalMs?: number;
  /** MLflow's default host, 127.0.0.1. */
  readonly host?: string;
  /** MLflow's default port, 5000; 0 picks a free one. */
  readonly port?: number;
  readonly logger?: boolean;
  readonly log?: (event: ServedModelEvent) => void;
}

/** A scoring server that is listening. */
export interface RunningScoringServer {
  /** e.g. `http://127.0.0.1:5000`. */
  readonly url: string;
  readonly served: ServedModel;
  readonly app: FastifyInstance;
  /** Stops accepting requests, lets those in flight finish, closes the model. */
  close(): Promise<void>;
}

/** Loads the model, then listens (so the first request never waits for a load), as `cairn models serve`. */
export async function serveModel(options: ServeModelOptions): Promise<RunningScoringServer> {
  const served = createServedModel({
    uri: options.uri,
    loader: options.loader,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.log ? { log: options.log } : {}),
  });
  await served.start();
  const app = createScoringServer({
    served,
    logger: options.logger ?? false,
    ...(options.maxRequestBytes === undefined ? {} : { maxRequestBytes: options.maxRequestBytes }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  try {
    const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 5000 });
    return { url, served, app, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}
