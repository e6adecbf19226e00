/** The tracking URI used when nothing is configured: MLflow's file layout in the working directory. */
export const defaultTrackingUri = './mlruns';

/**
 * The tracking URI to use: the explicit one, else `MLFLOW_TRACKING_URI`, else {@link defaultTrackingUri}
 * (the same precedence as MLflow).
 */
export function resolveTrackingUri(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnv = env.MLFLOW_TRACKING_URI;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultTrackingUri;
}
