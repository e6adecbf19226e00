import type { ArtifactStore } from '@cairn/core';
import type { FastifyInstance } from 'fastify';

/** The backend kinds MLflow names in `store_type` (the UI enables its SQL-only pages on `SqlStore`). */
export type BackendStoreType = 'SqlStore' | 'FileStore';

/** What `/api/3.0/mlflow/server-info` reports. */
export interface ServerInfoSettings {
  /** The tracking store's kind; unset (a memory store, say) reports `null`, as MLflow does for other stores. */
  backendStoreType: BackendStoreType | undefined;
  /** Whether the artifact proxy (`/api/2.0/mlflow-artifacts/*`) is served. */
  serveArtifacts: boolean;
  /** The proxy's store, whose capabilities decide which transfers are offered. */
  artifactStore: ArtifactStore | undefined;
  /** The operator's opt-in to advertising multipart uploads (MLflow's `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`). */
  proxyMultipartUpload: boolean;
}

/**
 * The body of `server-info`, with the fields MLflow 3.18's server sends. MLflow's client reads
 * `multipart_uploads_enabled`, `multipart_downloads_enabled` and `artifacts_presigned_only` to choose how it
 * moves artifacts, `store_type` for telemetry and `workspaces_enabled` for workspaces; its UI reads the rest.
 * Only what this server really does is advertised: multipart uploads when the operator opts in and the
 * proxy's store can (their presigned part URLs go to the storage directly, past the proxy, which is why
 * MLflow makes it opt-in too); no presigned downloads, presigned run/model uploads, workspaces, trace
 * archival, gateway or skills, whose endpoints Cairn does not serve.
 */
export function serverInfoPayload(settings: ServerInfoSettings): Record<string, unknown> {
  const proxiedStore = settings.serveArtifacts ? settings.artifactStore : undefined;
  return {
    store_type: settings.backendStoreType ?? null,
    workspaces_enabled: false,
    trace_archival_enabled: false,
    multipart_uploads_enabled:
      settings.proxyMultipartUpload &&
      proxiedStore?.capabilities.multipartUpload === true &&
      proxiedStore.createMultipartUpload !== undefined,
    multipart_downloads_enabled: false,
    artifact_serving_enabled: settings.serveArtifacts,
    presigned_upload_run_id_supported: false,
    presigned_upload_model_id_supported: false,
    model_artifact_presigned_downloads_supported: false,
    features_enabled: { gateway: false, scheduled_issue_detection: false },
    tracking_auth: '',
    artifacts_presigned_only: false,
  };
}

/**
 * Registers `GET /api/3.0/mlflow/server-info` (the Python client's) and `/ajax-api/3.0/mlflow/server-info`
 * (the UI's). The answer is computed once: it touches no store, and clients ask for it many times a session.
 */
export function registerServerInfoRoute(app: FastifyInstance, settings: ServerInfoSettings): void {
  const body = JSON.stringify(serverInfoPayload(settings));
  for (const prefix of ['/api/3.0', '/ajax-api/3.0']) {
    app.get(`${prefix}/mlflow/server-info`, async (_request, reply) =>
      reply.type('application/json').send(body),
    );
  }
}
