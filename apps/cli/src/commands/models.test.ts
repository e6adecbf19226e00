import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCairnClient } from '@cairn/client';
import { saveModel } from '@cairn/models';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { cliSandbox } from '../test-helpers.js';

/** Saves a js_function model (y = x * weight) under the sandbox. */
async function saveLinearModel(cwd: string, name: string, weight: number): Promise<string> {
  const source = join(cwd, `${name}.mjs`);
  await writeFile(
    source,
    `export default (input) => ({ kind: 'dataframe', columns: ['y'], rows: input.rows.map((row) => [row[input.columns.indexOf('x')] * ${weight}]) });\n`,
  );
  const dir = join(cwd, name);
  await saveModel(dir, { model: { module: source } });
  return dir;
}

/** Runs `cairn models serve ...` in-process until `stop` aborts, handing back its printed URL. */
async function startServe(cwd: string, env: NodeJS.ProcessEnv, argv: string[]) {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const exit = runCli(['--json', 'models', 'serve', ...argv], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
    signal: controller.signal,
  });
  let settled: number | undefined;
  void exit.then((code) => {
    settled = code;
  });
  while (!stdout.includes('"url"')) {
    if (settled !== undefined) throw new Error(`serve exited ${settled}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { url } = JSON.parse(stdout) as { url: string };
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      controller.abort();
      return exit;
    },
  };
}

const score = async (url: string, body: unknown) => {
  const response = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    version: response.headers.get('x-cairn-model-version'),
    body: await response.json(),
  };
};

describe('cairn models', () => {
  it('predict: a CSV file to a JSON file, and JSON from a file to standard output', async () => {
    const { cwd, run, json } = await cliSandbox();
    await saveLinearModel(cwd, 'linear', 2);
    await writeFile(join(cwd, 'input.csv'), 'x\n1\n2\n');
    const written = await json<{ rows: number }>(
      'models',
      'predict',
      '-m',
      'linear',
      '-i',
      'input.csv',
      '-o',
      'out.json',
      '-t',
      'csv',
    );
    expect(written.rows).toBe(2);
    expect(JSON.parse(await readFile(join(cwd, 'out.json'), 'utf8'))).toEqual({
      predictions: [{ y: 2 }, { y: 4 }],
    });

    await writeFile(join(cwd, 'input.json'), JSON.stringify({ dataframe_records: [{ x: 5 }] }));
    const printed = await run('models', 'predict', '-m', 'linear', '-i', 'input.json');
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual({ predictions: [{ y: 10 }] });

    const bad = await run('models', 'predict', '-m', 'linear', '-i', 'input.json', '-t', 'xml');
    expect(bad.code).toBe(2);
    const missing = await run('models', 'predict', '-m', 'nowhere', '-i', 'input.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('RESOURCE_DOES_NOT_EXIST');
  });

  it('generate-dockerfile: writes the Dockerfile and the model into the output directory', async () => {
    const { cwd, json } = await cliSandbox();
    await saveLinearModel(cwd, 'linear', 2);
    const result = await json<{ output_directory: string; flavor: string }>(
      'models',
      'generate-dockerfile',
      '-m',
      'linear',
      '-d',
      'image',
    );
    expect(result).toMatchObject({ output_directory: join(cwd, 'image'), flavor: 'js_function' });
    const dockerfile = await readFile(join(cwd, 'image', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('EXPOSE 8080');
    expect(await readFile(join(cwd, 'image', 'model_dir', 'MLmodel'), 'utf8')).toContain('js_function');
  });

  it("serve: offers MLflow's flags, -h is the host", async () => {
    const { run } = await cliSandbox();
    const help = await run('models', 'serve', '--help');
    for (const flag of ['--model-uri', '--port', '--host', '--timeout', '--poll-interval', '--env-manager']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('-h, --host');
  });

  it('serve: a local model on 127.0.0.1 until stopped', async () => {
    const { cwd, env } = await cliSandbox();
    await saveLinearModel(cwd, 'linear', 3);
    const server = await startServe(cwd, env, ['-m', 'linear', '-p', '0', '--env-manager', 'local']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(await score(server.url, { inputs: { x: [1, 2] } })).toMatchObject({
      status: 200,
      body: { predictions: [{ y: 3 }, { y: 6 }] },
    });
    expect(await server.stop()).toBe(0);
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
  });

  it('serve: models:/<name>@<alias> from the tracking store, swapped when the alias moves', async () => {
    const { cwd, env } = await cliSandbox({ trackingUri: (dir) => `sqlite:///${join(dir, 'mlflow.db')}` });
    const client = createCairnClient({ trackingUri: env.MLFLOW_TRACKING_URI, cwd });
    const registry = await client.registryStore();
    if (registry === undefined) throw new Error('no registry');
    await registry.createRegisteredModel({ name: 'linear' });
    for (const weight of [1, 100]) {
      const dir = await saveLinearModel(cwd, `linear-${weight}`, weight);
      await registry.createModelVersion({ name: 'linear', source: pathToFileURL(dir).href });
    }
    await registry.setRegisteredModelAlias('linear', 'prod', '1');
    const server = await startServe(cwd, env, [
      '-m',
      'models:/linear@prod',
      '-p',
      '0',
      '--poll-interval',
      '0.05',
    ]);
    try {
      expect(await score(server.url, { inputs: { x: [2] } })).toEqual({
        status: 200,
        version: '1',
        body: { predictions: [{ y: 2 }] },
      });
      await registry.setRegisteredModelAlias('linear', 'prod', '2');
      let answer = await score(server.url, { inputs: { x: [2] } });
      while (answer.version === '1') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        answer = await score(server.url, { inputs: { x: [2] } });
      }
      expect(answer).toEqual({ status: 200, version: '2', body: { predictions: [{ y: 200 }] } });
      expect(server.stderr()).toContain('swapped to version 2');
    } finally {
      expect(await server.stop()).toBe(0);
      await client.close();
    }
  });
});
