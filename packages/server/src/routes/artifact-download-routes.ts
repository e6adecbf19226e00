import {
  type ArtifactStore,
  CairnError,
  normaliseArtifactPath,
  parseRunsUri,
  type RegistryStore,
  type TrackingStore,
} from '@cairn/core';
import {
  getLoggedModelArtifactRequest,
  getModelVersionArtifactRequest,
  getRunArtifactRequest,
} from '@cairn/core/wire';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { prefixedArtifactStore } from '../artifact-roots.js';
import { sendArtifactFile } from './artifact-file-reply.js';
import { artifactPathParam } from './artifact-path-param.js';
import { parseRequest, runIdOf } from './route-table.js';

/** What the download routes read from: the stores, and the opener of artifact URIs (artifact-roots.ts). */
export interface ArtifactDownloadSources {
  trackingStore: TrackingStore;
  /** Unset: model-version downloads answer NOT_IMPLEMENTED, as the registry RPCs do. */
  registryStore: RegistryStore | undefined;
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>;
}

function modelIdOf(request: FastifyRequest): string {
  return ((request.params ?? {}) as { model_id?: string }).model_id ?? '';
}

/**
 * Registers the file downloads MLflow's UI makes, each checking its path before it looks anything up, as
 * MLflow's handlers do: `GET /get-artifact` (a run's file), `GET /model-versions/get-artifact` (a registered
 * version's file) and `GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files` (MLflow 3).
 */
export function registerArtifactDownloadRoutes(app: FastifyInstance, sources: ArtifactDownloadSources): void {
  const { trackingStore, registryStore, openArtifacts } = sources;

  app.get('/get-artifact', async (request, reply) => {
    const input = parseRequest(getRunArtifactRequest, request);
    const path = artifactPathParam(input.path, 'path');
    const run = await trackingStore.getRun(runIdOf(input));
    return sendArtifactFile(reply, await openArtifacts(run.info.artifact_uri), path, path);
  });

  /** A version's download URI may be `runs:/<run_id>/<path>`: that run's artifacts under `<path>`. */
  const openVersionArtifacts = async (uri: string): Promise<ArtifactStore> => {
    if (!uri.startsWith('runs:')) return openArtifacts(uri);
    const { runId, artifactPath } = parseRunsUri(uri);
    const run = await trackingStore.getRun(runId);
    const prefix = normaliseArtifactPath(artifactPath, 'source');
    const store = await openArtifacts(run.info.artifact_uri);
    return prefix === '' ? store : prefixedArtifactStore(store, prefix, `${run.info.artifact_uri}/${prefix}`);
  };

  app.get('/model-versions/get-artifact', async (request, reply) => {
    const input = parseRequest(getModelVersionArtifactRequest, request);
    const path = artifactPathParam(input.path, 'path');
    if (registryStore === undefined) {
      throw new CairnError(
        'NOT_IMPLEMENTED',
        'This Cairn server has no model registry, so it has no model-version files to serve.',
      );
    }
    const uri = await registryStore.getModelVersionDownloadUri(input.name, input.version);
    return sendArtifactFile(reply, await openVersionArtifacts(uri), path, path);
  });

  app.get('/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files', async (request, reply) => {
    const input = parseRequest(getLoggedModelArtifactRequest, request);
    if (!input.artifact_file_path) {
      throw new CairnError('BAD_REQUEST', 'Request must include the "artifact_file_path" query parameter.', {
        details: { field: 'artifact_file_path' },
      });
    }
    const path = artifactPathParam(input.artifact_file_path, 'artifact_file_path');
    const model = await trackingStore.getLoggedModel(modelIdOf(request));
    return sendArtifactFile(reply, await openArtifacts(model.info.artifact_uri), path, path);
  });
}
