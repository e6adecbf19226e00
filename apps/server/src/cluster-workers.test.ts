import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function rpc(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('cairn server --workers on one SQLite file', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });

  it('serves from every worker and loses no write of 4 concurrent clients, then stops on SIGTERM', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-cluster-'));
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions',
        'development',
        bin,
        '--backend-store-uri',
        `sqlite:///${join(dir, 'mlflow.db')}`,
      ],
      {
        cwd: appDir,
        // The worker count from MLflow's variable, as `mlflow server` reads it.
        env: {
          ...process.env,
          MLFLOW_PORT: String(port),
          MLFLOW_WORKERS: '3',
          MLFLOW_ARTIFACTS_DESTINATION: join(dir, 'a'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 150_000;
    // Healthy once the first worker listens; the others follow.
    while ((output.match(/listening at .* \(worker \d+\)/gu) ?? []).length < 3) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const experimentId = (await rpc(base, 'experiments/create', { name: 'cluster' })).experiment_id;
    const created = await Promise.all(
      Array.from({ length: 4 }, async (_, client) => {
        const ids: string[] = [];
        for (let r = 0; r < 15; r += 1) {
          const run = (await rpc(base, 'runs/create', { experiment_id: experimentId })) as {
            run: { info: { run_id: string } };
          };
          const runId = run.run.info.run_id;
          await rpc(base, 'runs/log-batch', {
            run_id: runId,
            metrics: Array.from({ length: 50 }, (_, step) => ({
              key: 'm',
              value: client,
              timestamp: 1,
              step,
            })),
            params: [{ key: 'client', value: String(client) }],
          });
          ids.push(runId);
        }
        return ids;
      }),
    );
    const search = (await rpc(base, 'runs/search', {
      experiment_ids: [experimentId],
      max_results: 1000,
    })) as {
      runs: { info: { run_id: string }; data: { params: unknown[] } }[];
    };
    expect(search.runs.map((run) => run.info.run_id).sort()).toEqual(created.flat().sort());
    expect(search.runs.every((run) => run.data.params.length === 1)).toBe(true);
    const workers = new Set(
      output
        .split('\n')
        .filter((line) => line.includes('"request completed"'))
        .map((line) => line.match(/"pid":(\d+)/u)?.[1]),
    );
    expect(workers.size, 'requests answered by every worker').toBe(3);
    expect(output).not.toMatch(/database is locked/u);
    process.kill(-(child.pid as number), 'SIGTERM');
    const code = await new Promise((resolve) => child?.once('exit', resolve));
    expect(code).toBe(0);
  });
});
