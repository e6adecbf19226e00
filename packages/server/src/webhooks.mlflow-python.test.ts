import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSqlRegistryStore, createSqlTrackingStore, createSqlWebhookStore } from '@cairn/store-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

// The official MLflow client (mlflow==3.18.0) drives Cairn's webhook API; the same script drives the real
// `mlflow server`, and the deliveries both make are compared, so the script's expectations are MLflow's own.
const python = process.env.CAIRN_MLFLOW_PYTHON;
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop', 'mlflow_webhooks_script.py');
const clientEnv = {
  ...process.env,
  MLFLOW_DISABLE_TELEMETRY: 'true',
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
  MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
};

if (python === undefined) {
  console.log(
    'SKIPPED: webhooks.mlflow-python (set CAIRN_MLFLOW_PYTHON to the python of a venv with mlflow==3.18.0)',
  );
}

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 answering 200 "received" and recording every delivery. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('received');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

async function runScript(trackingUri: string, receiverUrl: string, cwd: string) {
  const { stdout } = await promisify(execFile)(python as string, [script], {
    env: { ...clientEnv, MLFLOW_TRACKING_URI: trackingUri, RECEIVER_URL: receiverUrl },
    cwd,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(
      `${error.message}\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`,
    );
  });
  expect(stdout).toContain('WEBHOOKS OK');
  return JSON.parse(stdout.split('\n')[0] ?? '{}') as { webhook_id: string; errors: Record<string, string> };
}

/** Waits until `count` deliveries arrived (deliveries are asynchronous on both servers). */
async function waitFor(deliveries: Delivery[], count: number) {
  for (let attempt = 0; attempt < 600 && deliveries.length < count; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What is comparable between two servers' deliveries: event, data, header names, a valid signature. */
function summarise(deliveries: Delivery[], secrets: Record<string, string>) {
  return deliveries
    .map((delivery) => {
      const body = JSON.parse(delivery.body);
      const id = delivery.headers['x-mlflow-delivery-id'] as string;
      const timestamp = delivery.headers['x-mlflow-timestamp'] as string;
      const signature = delivery.headers['x-mlflow-signature'] as string | undefined;
      const secret = secrets[`${body.entity}.${body.action}`];
      const expected =
        secret === undefined
          ? undefined
          : `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${delivery.body}`).digest('base64')}`;
      return {
        event: `${body.entity}.${body.action}`,
        keys: Object.keys(body),
        data: body.data,
        signed: signature !== undefined,
        signatureValid: signature === expected,
        timestampShape: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/.test(body.timestamp),
        pythonSeparators: delivery.body.startsWith('{"entity": '),
      };
    })
    .sort((a, b) =>
      `${a.event}${JSON.stringify(a.data)}`.localeCompare(`${b.event}${JSON.stringify(b.data)}`),
    );
}

// Every event goes to the webhook with the secret; the tag event (second webhook, test only) is unsigned.
const secrets = {
  'registered_model.created': 'interop-secret',
  'model_version.created': 'interop-secret',
  'model_version_alias.created': 'interop-secret',
};

// Skipped only when no MLflow Python is available; the reason is printed above as a SKIPPED line.
const describeInterop = python === undefined ? describe.skip : describe;

describeInterop('webhooks.mlflow-python: MlflowClient webhooks against Cairn and MLflow', () => {
  let dir = '';
  let cairnSummary: ReturnType<typeof summarise> = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-webhooks-interop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('create/list/get/update/test/delete_webhook work against a Cairn server, and registry calls deliver', async () => {
    const receiver = await startReceiver();
    const uri = `sqlite:///${join(dir, 'cairn.db')}`;
    const trackingStore = createSqlTrackingStore({ uri, artifactRoot: `file://${join(dir, 'artifacts')}` });
    const registryStore = createSqlRegistryStore({ uri });
    const webhookStore = createSqlWebhookStore({ uri });
    const app = createServer({
      trackingStore,
      registryStore,
      webhookStore,
      webhookDelivery: { allowPrivateTargets: true, allowedSchemes: ['http', 'https'] },
      backendStoreType: 'SqlStore',
    });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: await freePort() });
      const summary = await runScript(url, receiver.url, dir);
      expect(summary.errors).toEqual({
        get_missing: 'RESOURCE_DOES_NOT_EXIST',
        bad_name: 'INVALID_PARAMETER_VALUE',
        bad_url: 'INVALID_PARAMETER_VALUE',
        get_deleted: 'RESOURCE_DOES_NOT_EXIST',
      });
      // Two test deliveries, then registered_model, model_version and alias events.
      await waitFor(receiver.deliveries, 5);
      cairnSummary = summarise(receiver.deliveries, { ...secrets });
      expect(cairnSummary.map((delivery) => delivery.event).sort()).toEqual(
        [
          'model_version.created',
          'model_version.created',
          'model_version_alias.created',
          'model_version_tag.set',
          'registered_model.created',
        ].sort(),
      );
      for (const delivery of cairnSummary) {
        expect(delivery.keys).toEqual(['entity', 'action', 'timestamp', 'data']);
        expect(delivery.timestampShape && delivery.pythonSeparators).toBe(true);
        if (delivery.event !== 'model_version_tag.set') expect(delivery.signatureValid).toBe(true);
        else expect(delivery.signed).toBe(false);
      }
      expect(cairnSummary).toContainEqual(
        expect.objectContaining({
          event: 'registered_model.created',
          data: { name: 'interop-model', tags: { team: 'ml' }, description: 'd' },
        }),
      );
    } finally {
      await app.close();
      await Promise.all([webhookStore.close(), registryStore.close(), trackingStore.close()]);
      await receiver.close();
    }
  }, 120_000);

  it('the same script against the real mlflow server delivers the same events and payloads', async () => {
    const receiver = await startReceiver();
    const port = await freePort();
    const server = spawn(
      join(dirname(python as string), 'mlflow'),
      [
        'server',
        '--backend-store-uri',
        `sqlite:///${join(dir, 'mlflow.db')}`,
        '--artifacts-destination',
        join(dir, 'mlflow-artifacts'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        '1',
      ],
      {
        env: {
          ...clientEnv,
          MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
          MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    );
    let log = '';
    server.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.ok,
          () => false,
        );
        if (healthy) break;
        if (Date.now() > deadline || server.exitCode !== null)
          throw new Error(`mlflow server did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const summary = await runScript(`http://127.0.0.1:${port}`, receiver.url, dir);
      expect(summary.errors).toEqual({
        get_missing: 'RESOURCE_DOES_NOT_EXIST',
        bad_name: 'INVALID_PARAMETER_VALUE',
        bad_url: 'INVALID_PARAMETER_VALUE',
        get_deleted: 'RESOURCE_DOES_NOT_EXIST',
      });
      await waitFor(receiver.deliveries, 5);
      const mlflowSummary = summarise(receiver.deliveries, { ...secrets });
      if (cairnSummary.length > 0) expect(cairnSummary).toEqual(mlflowSummary);
    } finally {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
      await receiver.close();
    }
  }, 150_000);
});
