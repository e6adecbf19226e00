import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  freePort,
  setTestS3Environment,
  startTestS3Server,
  type TestS3Server,
} from '@cairn/store-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerOptions, type ServerOptionsInput } from './server-options.js';
import { startServer } from './start-server.js';

// The official MLflow client (mlflow==3.18.0 with boto3, installed by .ci/install-mlflow.sh) logs, lists and
// downloads artifacts through a Cairn server whose artifacts live in moto's S3, and the same script runs
// against the real `mlflow server` configured the same way, so the script's expectations are MLflow's own.
const python = process.env.CAIRN_MLFLOW_PYTHON;
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop', 'mlflow_s3_script.py');
const bucket = 'interop';
const mebibyte = 1024 * 1024;

if (python === undefined) {
  console.log(
    'SKIPPED: interop-s3.mlflow-python (set CAIRN_MLFLOW_PYTHON to the python of a venv with mlflow==3.18.0)',
  );
}

let s3: TestS3Server;
let dir = '';
let restoreEnvironment: (() => void) | undefined;

/** The client's environment: moto's S3, no retries to hide failures, and multipart from 5 MiB in 5 MiB parts. */
const clientEnv = () => ({
  ...process.env,
  ...s3.env,
  MLFLOW_DISABLE_TELEMETRY: 'true',
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
  MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
  MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: 'true',
  MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE: String(5 * mebibyte),
  MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE: String(5 * mebibyte),
});

async function runScript(
  trackingUri: string,
  mode: 'proxied' | 'direct',
  prefix: string,
  envOverrides: Record<string, string | undefined> = {},
): Promise<string> {
  const scratch = join(dir, `${prefix}-scratch`);
  await mkdir(scratch, { recursive: true });
  const { stdout } = await promisify(execFile)(python as string, [script, mode, scratch, bucket, prefix], {
    env: { ...clientEnv(), ...envOverrides, MLFLOW_TRACKING_URI: trackingUri },
    cwd: scratch,
    maxBuffer: 16 * mebibyte,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(
      `${error.message}\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`,
    );
  });
  return stdout;
}

async function againstCairn(
  flags: ServerOptionsInput,
  mode: 'proxied' | 'direct',
  prefix: string,
  envOverrides: Record<string, string | undefined> = {},
) {
  const server = await startServer(
    resolveServerOptions(
      { port: 0, logRequests: false, backendStoreUri: `sqlite:///${join(dir, `${prefix}.db`)}`, ...flags },
      {},
    ),
    { cwd: dir },
  );
  try {
    const started = performance.now();
    const stdout = await runScript(server.url, mode, prefix, envOverrides);
    console.log(`interop S3 (${mode}) against Cairn: ${(performance.now() - started).toFixed(0)} ms`);
    expect(stdout).toContain('INTEROP S3 OK');
  } finally {
    await server.close();
  }
}

async function againstMlflow(args: string[], mode: 'proxied' | 'direct', prefix: string) {
  const port = await freePort();
  const mlflowBin = join(dirname(python as string), 'mlflow');
  const server = spawn(
    mlflowBin,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, `${prefix}.db`)}`,
      ...args,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    { env: clientEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  server.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) break;
      if (Date.now() > deadline || server.exitCode !== null) {
        throw new Error(`mlflow server did not start:\n${log.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const stdout = await runScript(`http://127.0.0.1:${port}`, mode, prefix).catch((error: Error) => {
      throw new Error(`${error.message}\n--- mlflow server ---\n${log.slice(-4000)}`);
    });
    expect(stdout).toContain('INTEROP S3 OK');
  } finally {
    // The server runs uvicorn workers in its own process group: end the whole group.
    if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
    await new Promise((resolve) =>
      server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve),
    );
  }
}

// Skipped only when no MLflow Python is available; the reason is printed above as a SKIPPED line.
const describeInterop = python === undefined ? describe.skip : describe;

describeInterop('interop-s3.mlflow-python: the official MLflow client with artifacts on S3', () => {
  // A fresh machine first installs moto into a venv (about half a minute), hence the long hook timeout.
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-interop-s3-'));
    s3 = await startTestS3Server();
    await s3.createBucket(bucket);
    // The in-process Cairn server reads MLflow's S3 variables, as a deployment would set them.
    restoreEnvironment = setTestS3Environment(s3);
  }, 300_000);

  afterAll(async () => {
    restoreEnvironment?.();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs, lists and downloads through a Cairn server proxying to S3, 12 MB as a presigned multipart upload', async () => {
    await againstCairn({ artifactsDestination: `s3://${bucket}/cairn-proxied` }, 'proxied', 'cairn-proxied');
  }, 180_000);

  it('uploads 12 MB as a presigned multipart upload on the server-info the server sends, with no client setting', async () => {
    // MLflow's client asks /api/3.0/mlflow/server-info whether to use multipart when its own variable is unset;
    // the server says so when its operator set MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD.
    await againstCairn(
      { artifactsDestination: `s3://${bucket}/cairn-advertised`, proxyMultipartUpload: true },
      'proxied',
      'cairn-advertised',
      { MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: undefined },
    );
  }, 180_000);

  it('writes and reads S3 directly with a Cairn server started with --no-serve-artifacts', async () => {
    await againstCairn(
      { serveArtifacts: false, defaultArtifactRoot: `s3://${bucket}/cairn-direct` },
      'direct',
      'cairn-direct',
    );
  }, 180_000);

  it('passes the same script against the real mlflow server proxying to S3 (proving the script)', async () => {
    await againstMlflow(
      ['--artifacts-destination', `s3://${bucket}/mlflow-proxied`],
      'proxied',
      'mlflow-proxied',
    );
  }, 240_000);

  it('passes the same script against the real mlflow server with --no-serve-artifacts (proving the script)', async () => {
    await againstMlflow(
      ['--no-serve-artifacts', '--default-artifact-root', `s3://${bucket}/mlflow-direct`],
      'direct',
      'mlflow-direct',
    );
  }, 240_000);
});
