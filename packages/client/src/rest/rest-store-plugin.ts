import type { TrackingStorePlugin } from '../store-plugins.js';
import { setArtifactProxyServer } from './rest-artifact-store.js';
import { createRestTrackingStore } from './rest-tracking-store.js';

/** `http(s)://` tracking URIs: an MLflow-compatible tracking server (Cairn's or MLflow's) over REST. */
export const restStorePlugin: TrackingStorePlugin = {
  name: 'rest',
  handles: (uri) => uri.kind === 'http',
  open: (uri) => {
    const baseUrl = uri.kind === 'http' ? uri.url : '';
    // Host-less mlflow-artifacts: URIs the server hands out refer to this server, as in MLflow.
    setArtifactProxyServer(baseUrl);
    return createRestTrackingStore({ baseUrl });
  },
};
