import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { CairnError } from '@cairn/core';

/** The SDK modules the store uses, loaded on first use so that installing the store costs nothing. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');
/** `@aws-sdk/lib-storage`: streamed, multipart `Upload`. */
export type S3StorageSdk = typeof import('@aws-sdk/lib-storage');
/** `@aws-sdk/s3-request-presigner`: `getSignedUrl`. */
export type S3PresignerSdk = typeof import('@aws-sdk/s3-request-presigner');

const missing = (name: string, cause: unknown) =>
  new CairnError(
    'INTERNAL_ERROR',
    `The S3 artifact store needs the optional peer dependency '${name}'; install it next to @cairn/store-s3 (e.g. pnpm add ${name})`,
    { cause, details: { dependency: name } },
  );

// The SDK is required lazily, on the first request, through Node's own resolver: it loads the packages'
// CommonJS builds, which Node runs as they are. (A bundler-style resolver, such as the one tests run under,
// would pick their `module` builds, whose extensionless imports Node cannot load.)
const requireFromHere = createRequire(import.meta.url);
const loaded = new Map<string, Promise<unknown>>();

function load<T>(name: string): Promise<T> {
  let module = loaded.get(name);
  if (module === undefined) {
    module = new Promise<unknown>((resolve) => resolve(requireFromHere(name))).catch((error: unknown) => {
      loaded.delete(name);
      throw missing(name, error);
    });
    loaded.set(name, module);
  }
  return module as Promise<T>;
}

/** Loads `@aws-sdk/client-s3` once per process. */
export const loadS3Sdk = (): Promise<S3Sdk> => load<S3Sdk>('@aws-sdk/client-s3');
/** Loads `@aws-sdk/lib-storage` once per process. */
export const loadStorageSdk = (): Promise<S3StorageSdk> => load<S3StorageSdk>('@aws-sdk/lib-storage');
/** Loads `@aws-sdk/s3-request-presigner` once per process. */
export const loadPresignerSdk = (): Promise<S3PresignerSdk> =>
  load<S3PresignerSdk>('@aws-sdk/s3-request-presigner');

/** Static credentials; without them the SDK's default chain (AWS_* variables, profiles, SSO, IMDS) is used. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How to reach S3: everything except the bucket and prefix. */
export interface S3ConnectionOptions {
  /** A custom endpoint (MinIO, Ceph, R2...). Default: `MLFLOW_S3_ENDPOINT_URL`, else AWS. */
  endpoint?: string;
  /** Default: `AWS_REGION`, else `AWS_DEFAULT_REGION` (boto3's name, which MLflow users set), else us-east-1. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`). Default: true with a custom endpoint, false on AWS. */
  forcePathStyle?: boolean;
  /** Static credentials; default: the SDK's default provider chain. */
  credentials?: S3Credentials;
  /** Accept any TLS certificate (self-signed MinIO). Default: `MLFLOW_S3_IGNORE_TLS=true`. */
  ignoreTls?: boolean;
  /** Attempts per request, including the first (the SDK's standard retry mode). Default: `AWS_MAX_ATTEMPTS`, else 5. */
  maxAttempts?: number;
  /** A request whose socket is idle this long fails and is retried. Default 120000 ms. */
  socketTimeoutMs?: number;
  /** Where to read MLFLOW_* and AWS_* from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/iu.test(value.trim());

/** The SDK client configuration `options` and the environment describe. */
export function s3ClientConfig(options: S3ConnectionOptions = {}): S3ClientConfig {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? (env.MLFLOW_S3_ENDPOINT_URL || undefined);
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  const ignoreTls = options.ignoreTls ?? truthy(env.MLFLOW_S3_IGNORE_TLS);
  const attemptsFromEnv = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const config: S3ClientConfig = {
    region,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    maxAttempts: options.maxAttempts ?? (attemptsFromEnv > 0 ? attemptsFromEnv : 5),
    requestHandler: {
      socketTimeout: options.socketTimeoutMs ?? 120_000,
      ...(ignoreTls ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false, keepAlive: true }) } : {}),
    },
  };
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}

// One client per distinct configuration for the life of the process: resolvers open a store per run, and
// each client owns a connection pool that should be shared, not rebuilt.
const clients = new Map<string, Promise<S3Client>>();

/** The shared SDK client for a connection configuration (created on first use). */
export function sharedS3Client(options: S3ConnectionOptions = {}, purpose = 'data'): Promise<S3Client> {
  const config = s3ClientConfig(options);
  const env = options.env ?? process.env;
  const key = JSON.stringify([
    purpose,
    config.endpoint,
    config.region,
    config.forcePathStyle,
    options.credentials,
    config.maxAttempts,
    options.socketTimeoutMs,
    options.ignoreTls ?? truthy(env.MLFLOW_S3_IGNORE_TLS),
  ]);
  let client = clients.get(key);
  if (client === undefined) {
    client = loadS3Sdk().then(
      (module) =>
        new module.S3Client(
          // Presigned URLs must not carry a checksum of an empty body (newer SDKs add one by default),
          // or the holder of the URL could never upload anything else through it.
          purpose === 'presign' ? { ...config, requestChecksumCalculation: 'WHEN_REQUIRED' } : config,
        ),
    );
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}
