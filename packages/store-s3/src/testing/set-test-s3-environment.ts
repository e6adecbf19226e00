import type { TestS3Server } from './moto-server.js';

/** An environment to change: `process.env` or a copy of it. */
export type MutableEnvironment = Record<string, string | undefined>;

/**
 * Points MLflow's and AWS's S3 variables (`MLFLOW_S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`...) at a test S3
 * server, in `process.env` unless another environment is given, as a user's shell would set them; returns
 * the function that puts back what was there (unset variables are unset again). Call it in `beforeAll` and
 * the restore in `afterAll`.
 */
export function setTestS3Environment(
  server: Pick<TestS3Server, 'env'>,
  environment: MutableEnvironment = process.env,
): () => void {
  const saved = Object.keys(server.env).map((key) => [key, environment[key]] as const);
  Object.assign(environment, server.env);
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete environment[key];
      else environment[key] = value;
    }
  };
}
