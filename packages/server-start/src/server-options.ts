import { z } from 'zod';

/** What `cairn server` accepts, after flags and their `MLFLOW_*` environment twins are merged. */
export const serverOptionsSchema = z.object({
  /** Where experiments and runs live (`sqlite:///mlflow.db`, `./mlruns`, `postgresql://…`, `memory:`). */
  backendStoreUri: z.string().min(1).optional(),
  /** Artifact root for new experiments; default `mlflow-artifacts:/` when serving artifacts. */
  defaultArtifactRoot: z.string().min(1).optional(),
  /** Where the artifact proxy keeps files: a directory, `file://` or `s3://bucket/prefix` URI. */
  artifactsDestination: z.string().min(1).default('./mlartifacts'),
  serveArtifacts: z.boolean().default(true),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(5000),
  /** Worker processes sharing the port; unset means MLflow's default, 4 (1 for an in-process store). */
  workers: z.coerce.number().int().min(1).max(256).optional(),
  /** Accepted Host headers (comma-separated on the command line); unset accepts any. */
  allowedHosts: z.array(z.string().min(1)).optional(),
  /** CORS origins (comma-separated on the command line); unset sends no CORS headers. */
  corsAllowedOrigins: z.array(z.string().min(1)).optional(),
  /** Log one JSON line per request (pino). */
  logRequests: z.boolean().default(true),
  /** Advertise multipart uploads to clients when the proxy's store supports them (S3); env only, as in MLflow. */
  proxyMultipartUpload: z.boolean().default(false),
  /**
   * Let webhooks target loopback, private, link-local and metadata addresses (MLflow's
   * `MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS`); for local development and tests only.
   */
  allowPrivateWebhookTargets: z.boolean().default(false),
  /** Webhook URL schemes accepted (MLflow's `MLFLOW_WEBHOOK_ALLOWED_SCHEMES`): https only unless told. */
  webhookAllowedSchemes: z
    .array(z.enum(['http', 'https']))
    .min(1)
    .default(['https']),
  /** Seconds a webhook delivery attempt may take (`MLFLOW_WEBHOOK_REQUEST_TIMEOUT`, 30). */
  webhookRequestTimeout: z.coerce.number().positive().max(3600).default(30),
  /** Retries of a failed webhook delivery (`MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES`, 3). */
  webhookMaxRetries: z.coerce.number().int().min(0).max(20).default(3),
  /** Webhook deliveries in flight at once (`MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS`, 10). */
  webhookMaxWorkers: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * Serve registered models at `/serve/<name>@<alias>/invocations` and `/serve/<name>/<version>/invocations`
   * (Cairn's; MLflow's server has no such option). Models load on first request; aliases are followed.
   */
  serveModels: z.boolean().default(false),
  /** How often a served alias is checked for a move, in seconds. */
  serveModelsPollInterval: z.coerce.number().min(0).default(30),
});

/** MLflow's `mlflow server` runs 4 workers unless told otherwise; so does Cairn's. */
const mlflowDefaultWorkers = 4;

/** A `memory:` store lives in one process: workers would each hold a different, partial store. */
const inProcessStore = (uri: string | undefined) => uri?.startsWith('memory:') === true;

/** Validated server options. */
export type ServerOptions = z.infer<typeof serverOptionsSchema> & { workers: number };
/** Server options as given (flags, env), before defaults. */
export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;

const list = (value: string | undefined) =>
  value === undefined || value.trim() === ''
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

const bool = (value: string | undefined) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(value.toLowerCase());

/** The `MLFLOW_*` variables MLflow's `mlflow server` reads, as server options. */
export function serverOptionsFromEnv(env: NodeJS.ProcessEnv): ServerOptionsInput {
  const entries: [keyof ServerOptionsInput, unknown][] = [
    ['backendStoreUri', env.MLFLOW_BACKEND_STORE_URI || undefined],
    ['defaultArtifactRoot', env.MLFLOW_DEFAULT_ARTIFACT_ROOT || undefined],
    ['artifactsDestination', env.MLFLOW_ARTIFACTS_DESTINATION || undefined],
    ['serveArtifacts', bool(env.MLFLOW_SERVE_ARTIFACTS)],
    ['host', env.MLFLOW_HOST || undefined],
    ['port', env.MLFLOW_PORT || undefined],
    ['workers', env.MLFLOW_WORKERS || undefined],
    ['allowedHosts', list(env.MLFLOW_SERVER_ALLOWED_HOSTS)],
    ['corsAllowedOrigins', list(env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS)],
    ['proxyMultipartUpload', bool(env.MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD)],
    ['allowPrivateWebhookTargets', bool(env.MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS)],
    ['webhookAllowedSchemes', list(env.MLFLOW_WEBHOOK_ALLOWED_SCHEMES)],
    ['webhookRequestTimeout', env.MLFLOW_WEBHOOK_REQUEST_TIMEOUT || undefined],
    ['webhookMaxRetries', env.MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES || undefined],
    ['webhookMaxWorkers', env.MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS || undefined],
    ['serveModels', bool(env.CAIRN_SERVE_MODELS)],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as ServerOptionsInput;
}

/** Merges flags over the environment (flags win, as with click's envvar) and validates. */
export function resolveServerOptions(flags: ServerOptionsInput, env: NodeJS.ProcessEnv): ServerOptions {
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const result = serverOptionsSchema.safeParse({ ...serverOptionsFromEnv(env), ...definedFlags });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Invalid server option '${issue?.path.join('.') ?? '?'}': ${issue?.message ?? 'invalid'}`,
    );
  }
  const { workers, backendStoreUri } = result.data;
  if (inProcessStore(backendStoreUri) && workers !== undefined && workers > 1) {
    throw new Error(
      `Invalid server option 'workers': ${workers} workers cannot share a memory: store, which lives in one process; use --workers 1`,
    );
  }
  return {
    ...result.data,
    workers: workers ?? (inProcessStore(backendStoreUri) ? 1 : mlflowDefaultWorkers),
  };
}

/** Splits a comma-separated flag value. */
export const commaList = (value: string) => list(value) ?? [];
