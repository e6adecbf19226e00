import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { S3Credentials } from '../s3-sdk.js';

/** A running S3-protocol server for tests (moto in server mode), on 127.0.0.1 at a free port. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Credentials it accepts (any work; these are the conventional fake ones). */
  readonly credentials: S3Credentials;
  /**
   * The MLflow/AWS variables that point a client at this server, for child processes and resolvers
   * (`setTestS3Environment` puts them in `process.env`).
   */
  readonly env: Record<string, string>;
  /** The same as options of the AWS SDK's `S3Client`, for a test that talks to S3 directly. */
  readonly clientConfig: TestS3ClientConfig;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of the AWS SDK's `S3Client` that reach a {@link TestS3Server}. */
export interface TestS3ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: true;
  readonly credentials: S3Credentials;
}

/** The region every test S3 client names (moto accepts any). */
const region = 'us-east-1';

/** This package's root (where scripts/ lives), found from this module whether it runs from src or dist. */
function packageRoot(): string {
  let current = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(current, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@cairn/store-s3'
    )
      return current;
    const parent = dirname(current);
    if (parent === current) throw new Error('Cannot find the @cairn/store-s3 package root');
    current = parent;
  }
}

let executable: Promise<string> | undefined;

/**
 * The moto_server executable: `CAIRN_MOTO_SERVER` if set, else the pinned one that
 * `scripts/install-moto.sh` installs (into a cached virtualenv, on first use).
 */
export function motoServerExecutable(): Promise<string> {
  const fromEnv = process.env.CAIRN_MOTO_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') return Promise.resolve(fromEnv);
  executable ??= promisify(execFile)('bash', [join(packageRoot(), 'scripts', 'install-moto.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split('\n').at(-1) ?? '');
  return executable;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Starts moto's S3 server on 127.0.0.1 at a free port and waits until it answers. */
export async function startTestS3Server(): Promise<TestS3Server> {
  const bin = await motoServerExecutable();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A test process that dies without stop() must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  return {
    endpoint,
    credentials,
    env: {
      MLFLOW_S3_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: region,
    },
    clientConfig: { endpoint, region, forcePathStyle: true, credentials },
    async createBucket(name) {
      const response = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
      if (!response.ok)
        throw new Error(`Creating bucket ${name} failed: ${response.status} ${await response.text()}`);
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
