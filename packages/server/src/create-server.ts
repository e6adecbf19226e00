import {
  type ArtifactStore,
  invalidParameter,
  type RegistryStore,
  type TrackingStore,
  type WebhookStore,
} from '@cairn/core';
import {
  createWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  withWebhookDelivery,
} from '@cairn/registry/webhooks';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { LoggerOptions } from 'pino';
import { type ArtifactOpener, createArtifactOpener } from './artifact-roots.js';
import { registerGraphqlRoutes } from './graphql/graphql-route.js';
import { installErrorHandlers } from './http-errors.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerArtifactDownloadRoutes } from './routes/artifact-download-routes.js';
import { registerArtifactProxyRoutes } from './routes/artifact-proxy-routes.js';
import { registerExperimentRoutes } from './routes/experiment-routes.js';
import { registerLoggedModelRoutes } from './routes/logged-model-routes.js';
import { registerMetricRoutes } from './routes/metric-routes.js';
import { registerPromptlabRunRoute } from './routes/promptlab-run-route.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';
import { registerRegistryUnavailable } from './routes/registry-unavailable.js';
import { createRouteTable } from './routes/route-table.js';
import { registerRunArtifactRoutes } from './routes/run-artifact-routes.js';
import { registerRunRoutes } from './routes/run-routes.js';
import { type BackendStoreType, registerServerInfoRoute } from './routes/server-info-route.js';
import { registerUploadArtifactRoute } from './routes/upload-artifact-route.js';
import { registerWebhookRoutes, registerWebhooksUnavailable } from './routes/webhook-routes.js';
import { parseJsonBody } from './wire/json-body.js';

/** The MLflow release whose REST protocol this server speaks (answered by `GET /version`). */
export const mlflowProtocolVersion = '3.18.0';

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** Where experiments, runs, params, metrics and tags live. The caller keeps ownership (and closes it). */
  trackingStore: TrackingStore;
  /**
   * Where registered models and versions live (`/mlflow/registered-models/*`, `/mlflow/model-versions/*`).
   * Unset: those RPCs answer NOT_IMPLEMENTED. The caller keeps ownership (and closes it).
   */
  registryStore?: RegistryStore;
  /**
   * Where the registry's webhooks live (`/mlflow/webhooks`). With it, registry writes are delivered to the
   * webhooks subscribed to them. Unset: the webhook RPCs answer NOT_IMPLEMENTED, as MLflow's file store does.
   */
  webhookStore?: WebhookStore;
  /**
   * How webhooks are delivered: the SSRF policy (`allowPrivateTargets`, `allowedSchemes`, default https
   * only as MLflow), time-out, retries and backoff. MLflow's defaults when unset.
   */
  webhookDelivery?: WebhookDispatcherOptions;
  /** The store behind the artifact proxy: `mlflow-artifacts:/<path>` is `<path>` in it. */
  artifactStore?: ArtifactStore;
  /**
   * Opens stores for other artifact URIs a run may have (`file://`, `s3://`), for `artifacts/list`: a
   * resolver, or an async opener (e.g. over `openArtifactStore` and store plugins); undefined for a URI it has no store for.
   */
  artifactResolver?: ArtifactOpener;
  /** Serve `/api/2.0/mlflow-artifacts/*` (default: when an artifactStore is given). Otherwise those answer 503. */
  serveArtifacts?: boolean;
  /** Accepted `Host` header values (`name` or `name:port`; `*` for any). Unset: any host (MLflow's default). */
  hostAllowlist?: readonly string[];
  /** Origins allowed by CORS. Unset: no CORS headers, so browsers refuse cross-origin calls. */
  corsAllowlist?: readonly string[];
  /** Request logging: false (default), true, pino options, or a logger instance. */
  logger?: boolean | LoggerOptions | FastifyBaseLogger;
  /** How long close() lets requests in flight finish before cutting their connections (default 10 s). */
  shutdownGraceMs?: number;
  /** Largest JSON body in bytes for RPCs other than log-batch (which is 1 MB, as in MLflow). Default 16 MB. */
  jsonBodyLimit?: number;
  /** The tracking store's kind, reported as `server-info`'s `store_type` (MLflow's UI needs `SqlStore` for some pages). Unset: null. */
  backendStoreType?: BackendStoreType;
  /**
   * Advertise multipart uploads in `server-info` when the proxy's store supports them (MLflow's
   * `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`): clients then upload large files straight to the storage with
   * presigned part URLs, past the proxy. Default false.
   */
  proxyMultipartUpload?: boolean;
}

const isLoggerInstance = (value: unknown): value is FastifyBaseLogger =>
  typeof value === 'object' && value !== null && typeof (value as { info?: unknown }).info === 'function';

/** True when `host` (a Host header) is allowed by the list: exact `name:port`, or `name` for any port. */
export function isHostAllowed(host: string | undefined, allowlist: readonly string[]): boolean {
  if (allowlist.includes('*')) return true;
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? host);
  return allowlist.some(
    (allowed) => allowed.toLowerCase() === host.toLowerCase() || allowed.toLowerCase() === name.toLowerCase(),
  );
}

const artifactProxyRoute = /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\//u;

/**
 * Creates Cairn's tracking server: MLflow's REST API (`/api/2.0/mlflow/*` and `/ajax-api/2.0/mlflow/*`)
 * over any TrackingStore, the artifact proxy over any ArtifactStore, `/health`, `/version` and
 * `/api/openapi.json`. Call `listen` to serve it, or `inject` to call it in-process. `close()` stops
 * accepting connections and waits for requests in flight.
 */
export function createServer(options: CreateServerOptions): FastifyInstance {
  const logger = options.logger ?? false;
  // `//model-versions/get-artifact` reaches the route, as MLflow's router merges repeated slashes.
  const routerOptions = { ignoreDuplicateSlashes: true };
  // Fastify logs a request twice (arrival and completion); one line at completion carries both.
  const app = (isLoggerInstance(logger)
    ? Fastify({
        loggerInstance: logger,
        logController: new LogController({ disableRequestLogging: true }),
        routerOptions,
      })
    : Fastify({
        logger,
        logController: new LogController({ disableRequestLogging: true }),
        routerOptions,
      })) as unknown as FastifyInstance;
  if (logger !== false) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          req: { method: request.method, url: request.url, remoteAddress: request.ip },
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    });
  }
  const serveArtifacts = options.serveArtifacts ?? options.artifactStore !== undefined;
  const jsonBodyLimit = options.jsonBodyLimit ?? 16 * 1024 * 1024;

  installErrorHandlers(app);
  // close() waits for every open connection; a keep-alive socket whose request was in flight when close()
  // began would hold it open until the client gave up, so answers sent while closing end their connection.
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    // Node closes only the connections idle when close() starts; these timers close the ones that become
    // idle later, and after the grace period any a client keeps busy (e.g. a download it stopped reading).
    sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
    deadline = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
    sweeper.unref();
    deadline.unref();
  });
  // Registry writes tell the webhooks subscribed to them; deliveries run after the write has answered.
  let dispatcher: WebhookDispatcher | undefined;
  if (options.webhookStore !== undefined) {
    const onError = options.webhookDelivery?.onError;
    dispatcher = createWebhookDispatcher(options.webhookStore, {
      ...options.webhookDelivery,
      onError: (error, context) => {
        app.log.warn(
          { err: error, webhook_id: context.webhook?.webhook_id, event: context.event },
          'webhook delivery failed',
        );
        onError?.(error, context);
      },
    });
  }
  const registryStore =
    options.registryStore !== undefined && dispatcher !== undefined
      ? withWebhookDelivery(options.registryStore, dispatcher)
      : options.registryStore;
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    clearTimeout(deadline);
    // Deliveries in flight get the grace period to finish, then are left to their time-outs.
    if (dispatcher !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        dispatcher.drain(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, options.shutdownGraceMs ?? 10_000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const hostAllowlist = options.hostAllowlist;
  if (hostAllowlist !== undefined) {
    // Guards against DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    app.addHook('onRequest', async (request, reply) => {
      if (!isHostAllowed(request.headers.host, hostAllowlist)) {
        return reply
          .code(403)
          .type('application/json')
          .send({
            error_code: 'PERMISSION_DENIED',
            message: `Invalid Host header: '${request.headers.host ?? ''}'`,
          });
      }
      return undefined;
    });
  }
  if (options.corsAllowlist !== undefined) {
    void app.register(cors, { origin: [...options.corsAllowlist] });
  }

  app.addHook('onRequest', async (request, reply) => {
    // A text/plain POST needs no CORS preflight, so JSON RPCs insist on application/json (CVE-2023-43472).
    const config = request.routeOptions.config as { json?: boolean } | undefined;
    if (config?.json === true && (request.method === 'POST' || request.method === 'PUT')) {
      const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        throw invalidParameter(
          type === undefined
            ? 'Bad Request. Content-Type header is missing.'
            : "Bad Request. Content-Type must be one of ['application/json'].",
          { field: 'content-type' },
        );
      }
    }
    if (!serveArtifacts && artifactProxyRoute.test(request.url)) {
      return reply
        .code(503)
        .type('text/plain')
        .send(
          `Endpoint: ${request.url.split('?')[0]} disabled due to the server running with --no-serve-artifacts. To enable artifacts server functionality, run the server with --serve-artifacts`,
        );
    }
    return undefined;
  });

  void app.register(async (scope) => {
    const routes = createRouteTable(scope, jsonBodyLimit);
    const openArtifacts = createArtifactOpener(options.artifactStore, options.artifactResolver);
    registerExperimentRoutes(routes, options.trackingStore);
    registerRunRoutes(routes, options.trackingStore);
    registerMetricRoutes(routes, options.trackingStore);
    registerRunArtifactRoutes(routes, options.trackingStore, openArtifacts);
    registerLoggedModelRoutes(routes, options.trackingStore, openArtifacts);
    registerGraphqlRoutes(scope, {
      trackingStore: options.trackingStore,
      registryStore: options.registryStore,
      openArtifacts,
    });
    registerArtifactDownloadRoutes(scope, {
      trackingStore: options.trackingStore,
      registryStore: options.registryStore,
      openArtifacts,
    });
    registerUploadArtifactRoute(scope, options.trackingStore, openArtifacts, options.corsAllowlist ?? []);
    registerPromptlabRunRoute(scope, options.trackingStore, openArtifacts, mlflowProtocolVersion);
    registerServerInfoRoute(scope, {
      backendStoreType: options.backendStoreType,
      serveArtifacts,
      artifactStore: options.artifactStore,
      proxyMultipartUpload: options.proxyMultipartUpload ?? false,
    });
    if (registryStore !== undefined) {
      registerRegistryRoutes(routes, registryStore, options.trackingStore);
    } else {
      registerRegistryUnavailable(scope);
    }
    if (options.webhookStore !== undefined && dispatcher !== undefined) {
      registerWebhookRoutes(routes, {
        webhooks: options.webhookStore,
        dispatcher,
        policy: options.webhookDelivery ?? {},
      });
    } else {
      registerWebhooksUnavailable(scope, options.backendStoreType ?? 'This store');
    }
    if (options.artifactStore !== undefined)
      registerArtifactProxyRoutes(scope, routes, options.artifactStore);
    // Tracing is not served yet; MLflow's client turns OTLP export off on exactly this answer instead of
    // failing every span batch (a 404 would read as an error).
    void scope.register(async (otlp) => {
      otlp.removeAllContentTypeParsers();
      otlp.addContentTypeParser('*', (_request, payload, done) => {
        payload.resume();
        done(null, undefined);
      });
      otlp.post('/v1/traces', async (_request, reply) =>
        reply
          .code(501)
          .type('application/json')
          .send({ detail: 'REST OTLP span logging is not supported by Cairn yet' }),
      );
    });
    scope.get('/health', async (_request, reply) => reply.type('text/plain').send('OK'));
    scope.get('/version', async (_request, reply) => reply.type('text/plain').send(mlflowProtocolVersion));
    let openApi: Record<string, unknown> | undefined;
    scope.get('/api/openapi.json', async (_request, reply) => {
      openApi ??= buildOpenApiDocument(routes.docs, mlflowProtocolVersion);
      return reply.type('application/json').send(JSON.stringify(openApi));
    });
  });
  return app;
}
