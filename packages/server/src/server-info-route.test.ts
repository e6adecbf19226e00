import type { ArtifactStore } from '@cairn/core';
import { createMemoryArtifactStore } from '@cairn/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { get, memoryServer } from './test-helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

/** A store that declares multipart uploads, as the S3 store does (the route only reads its capabilities). */
function multipartStore(): ArtifactStore {
  const store = createMemoryArtifactStore({ rootUri: 'memory://server-info' });
  return {
    ...store,
    capabilities: { ...store.capabilities, multipartUpload: true },
    createMultipartUpload: async () => ({ uploadId: 'u', parts: [] }),
    completeMultipartUpload: async () => {},
    abortMultipartUpload: async () => {},
  };
}

describe('GET /api/3.0/mlflow/server-info', () => {
  it("answers MLflow 3.18's fields under the client's and the UI's prefix, advertising nothing Cairn lacks", async () => {
    app = memoryServer({ backendStoreType: 'SqlStore' });
    const expected = {
      store_type: 'SqlStore',
      workspaces_enabled: false,
      trace_archival_enabled: false,
      multipart_uploads_enabled: false,
      multipart_downloads_enabled: false,
      artifact_serving_enabled: true,
      presigned_upload_run_id_supported: false,
      presigned_upload_model_id_supported: false,
      model_artifact_presigned_downloads_supported: false,
      features_enabled: { gateway: false, scheduled_issue_detection: false },
      tracking_auth: '',
      artifacts_presigned_only: false,
    };
    for (const url of ['/api/3.0/mlflow/server-info', '/ajax-api/3.0/mlflow/server-info']) {
      const response = await app.inject(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/u);
      expect(response.json()).toEqual(expected);
    }
  });

  it('reports store_type null when the backend kind is not given, and artifact serving as configured', async () => {
    app = memoryServer({ serveArtifacts: false });
    const info = await get(app, '/api/3.0/mlflow/server-info');
    expect(info.body).toMatchObject({ store_type: null, artifact_serving_enabled: false });
  });

  it('advertises multipart uploads only when the operator opts in and the proxied store can do them', async () => {
    const cases = [
      { options: { artifactStore: multipartStore(), proxyMultipartUpload: true }, enabled: true },
      { options: { artifactStore: multipartStore() }, enabled: false },
      { options: { proxyMultipartUpload: true }, enabled: false },
      {
        options: { artifactStore: multipartStore(), proxyMultipartUpload: true, serveArtifacts: false },
        enabled: false,
      },
    ];
    for (const { options, enabled } of cases) {
      app = memoryServer(options);
      const info = await get(app, '/api/3.0/mlflow/server-info');
      expect(info.body.multipart_uploads_enabled).toBe(enabled);
      expect(info.body.multipart_downloads_enabled).toBe(false);
      await app.close();
    }
    app = memoryServer();
  });
});
