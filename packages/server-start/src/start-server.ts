import { openArtifactStore } from '@cairn/core';
import { createServer } from '@cairn/server';
import { pino } from 'pino';
import { mountModelServing } from './model-serving.js';
import { openServerStores, type ServerStoreOptions } from './open-server-stores.js';
import type { ServerOptions } from './server-options.js';

/** A server that is listening. */
export interface RunningServer {
  /** The URL it listens on, e.g. `http://127.0.0.1:5000`. */
  url: string;
  /** Milliseconds from the call to listening with the backend store opened. */
  readyMs: number;
  backendStoreUri: string;
  defaultArtifactRoot: string;
  app: ReturnType<typeof createServer>;
  /** Stops accepting connections, finishes requests in flight, then closes the stores. */
  close(): Promise<void>;
}

/** Opens the stores (through `storeOptions.plugins` first, then Cairn's), creates the server and listens. */
export async function startServer(
  options: ServerOptions,
  storeOptions: ServerStoreOptions = {},
): Promise<RunningServer> {
  const started = performance.now();
  const stores = await openServerStores(options, storeOptions);
  try {
    // Touch the store once so schema creation or a bad URI fails here, not on the first request.
    await stores.trackingStore.getExperiment('0').catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'RESOURCE_DOES_NOT_EXIST') throw error;
    });
  } catch (error) {
    await stores.close().catch(() => {});
    throw error;
  }
  const app = createServer({
    trackingStore: stores.trackingStore,
    ...(stores.registryStore ? { registryStore: stores.registryStore } : {}),
    ...(stores.webhookStore ? { webhookStore: stores.webhookStore } : {}),
    webhookDelivery: {
      allowPrivateTargets: options.allowPrivateWebhookTargets,
      allowedSchemes: options.webhookAllowedSchemes,
      timeoutMs: options.webhookRequestTimeout * 1000,
      maxRetries: options.webhookMaxRetries,
      maxConcurrentDeliveries: options.webhookMaxWorkers,
    },
    ...(stores.artifactStore ? { artifactStore: stores.artifactStore } : {}),
    artifactResolver: (uri) => openArtifactStore(uri, stores.plugins, stores.context).catch(() => undefined),
    serveArtifacts: options.serveArtifacts,
    ...(stores.backendStoreType ? { backendStoreType: stores.backendStoreType } : {}),
    proxyMultipartUpload: options.proxyMultipartUpload,
    ...(options.allowedHosts ? { hostAllowlist: options.allowedHosts } : {}),
    ...(options.corsAllowedOrigins ? { corsAllowlist: options.corsAllowedOrigins } : {}),
    logger: options.logRequests ? pino({ level: 'info' }) : false,
  });
  if (options.serveModels) {
    try {
      await mountModelServing(app, stores, { pollIntervalMs: options.serveModelsPollInterval * 1000 });
    } catch (error) {
      await app.close();
      await stores.close().catch(() => {});
      throw error;
    }
  }
  const url = await app.listen({ host: options.host, port: options.port });
  return {
    url,
    readyMs: performance.now() - started,
    backendStoreUri: stores.backendStoreUri,
    defaultArtifactRoot: stores.defaultArtifactRoot,
    app,
    close: async () => {
      await app.close();
      await stores.close();
    },
  };
}
