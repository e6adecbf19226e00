import type { ArtifactStore, TrackingStore } from '@cairn/core';
import { listArtifactsRequest } from '@cairn/core/wire';
import { toWireFileInfo } from '../wire/wire-file-info.js';
import { artifactPathParam } from './artifact-path-param.js';
import { type RouteTable, runIdOf } from './route-table.js';

/** Registers `/mlflow/artifacts/list`: a run's artifact directory, with run-relative paths. */
export function registerRunArtifactRoutes(
  routes: RouteTable,
  store: TrackingStore,
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>,
): void {
  routes.rpc(
    {
      methods: ['GET'],
      path: '/mlflow/artifacts/list',
      summary: "List a directory of a run's artifacts",
      request: listArtifactsRequest,
    },
    async (input) => {
      const path = artifactPathParam(input.path, 'path');
      const run = await store.getRun(runIdOf(input));
      const files = (await (await openArtifacts(run.info.artifact_uri)).list(path)).map(toWireFileInfo);
      return { root_uri: run.info.artifact_uri, files: files.length === 0 ? undefined : files };
    },
  );
}
