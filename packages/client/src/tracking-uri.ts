import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The embedded default: MLflow's SQLite database in the working directory (MLflow's default since 3.7). */
export const defaultTrackingUri = 'sqlite:///mlflow.db';

/** The older default, still used when the working directory already has MLflow file-store data. */
export const legacyTrackingUri = './mlruns';

/** Where artifacts go by default when the tracking store is a database: `./mlartifacts`. */
export const defaultArtifactDirectory = 'mlartifacts';

/**
 * True when `<cwd>/mlruns` holds MLflow file-store data (an experiment folder with a meta.yaml), which is
 * the test MLflow uses to keep such users on the file store after the default moved to SQLite.
 */
export function hasMlrunsData(cwd: string = process.cwd()): boolean {
  const root = resolve(cwd, legacyTrackingUri);
  try {
    return readdirSync(root, { withFileTypes: true }).some(
      (entry) =>
        entry.isDirectory() && /^\d+$/u.test(entry.name) && existsSync(join(root, entry.name, 'meta.yaml')),
    );
  } catch {
    return false;
  }
}

/**
 * The tracking URI to use, with MLflow's precedence: the explicit one, else `MLFLOW_TRACKING_URI`, else
 * `./mlruns` if it already holds MLflow data, else `sqlite:///mlflow.db`.
 */
export function resolveTrackingUri(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnv = env.MLFLOW_TRACKING_URI;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return hasMlrunsData(cwd) ? legacyTrackingUri : defaultTrackingUri;
}
