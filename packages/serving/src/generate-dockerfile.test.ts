import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMLmodel } from '@cairn/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDockerfile } from './generate-dockerfile.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-dockerfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modelDir(name: string, flavors: Record<string, Record<string, unknown>>) {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  await writeMLmodel(path, { flavors });
  return path;
}

describe('generateDockerfile', () => {
  it('writes a Node 20 Dockerfile serving a js_function model on 8080, with the model, package.json and entrypoint', async () => {
    const model = await modelDir('js-model', { js_function: { entry: 'code/model.mjs' } });
    await mkdir(join(model, 'code'));
    await writeFile(
      join(model, 'code', 'package.json'),
      '{"type":"module","dependencies":{"left-pad":"1.3.0"}}',
    );
    const output = join(dir, 'js-out');
    const result = await generateDockerfile({
      modelDir: model,
      outputDirectory: output,
      cairnVersion: '1.2.3',
    });
    expect(result.flavor).toBe('js_function');
    const dockerfile = await readFile(join(output, 'Dockerfile'), 'utf8');
    expect(dockerfile).toBe(result.dockerfile);
    const lines = dockerfile.split('\n');
    expect(lines).toContain('FROM node:20-slim');
    expect(lines).toContain('COPY package.json ./');
    expect(lines).toContain('COPY model_dir /opt/cairn/model_dir');
    // The model's own npm dependencies are installed where its code is.
    expect(lines).toContain(
      'RUN cd /opt/cairn/model_dir/code && npm install --omit=dev --no-audit --no-fund',
    );
    expect(lines).toContain('EXPOSE 8080');
    expect(lines.at(-2)).toBe(
      'CMD ["node", "serve.mjs", "--model-uri", "/opt/cairn/model_dir", "--host", "0.0.0.0", "--port", "8080"]',
    );
    const manifest = JSON.parse(await readFile(join(output, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ '@cairn/models': '1.2.3', '@cairn/serving': '1.2.3' });
    const serve = await readFile(join(output, 'serve.mjs'), 'utf8');
    expect(serve).toContain("import { serveModel } from '@cairn/serving';");
    expect(serve).toContain('const flavors = [];');
    expect(await readFile(join(output, 'model_dir', 'MLmodel'), 'utf8')).toContain('js_function');
  });

  it('installs the flavor package and its framework peer for an ONNX model exported by MLflow', async () => {
    const model = await modelDir('onnx-model', {
      onnx: { onnx_version: '1.17.0', data: 'model.onnx' },
      python_function: { loader_module: 'mlflow.onnx', data: 'model.onnx' },
    });
    const output = join(dir, 'onnx-out');
    const result = await generateDockerfile({
      modelDir: model,
      outputDirectory: output,
      cairnVersion: '1.2.3',
    });
    expect(result.flavor).toBe('onnx');
    expect(result.dependencies).toEqual({
      '@cairn/models': '1.2.3',
      '@cairn/serving': '1.2.3',
      '@cairn/onnx': '1.2.3',
      'onnxruntime-node': '*',
    });
    expect(result.dockerfile).not.toContain('model_dir/code');
    const serve = await readFile(join(output, 'serve.mjs'), 'utf8');
    // The entrypoint imports the flavor package when it starts (split so no import is seen here).
    expect(serve).toContain(`await ${'import'}('@cairn/onnx')`);
  });

  it('refuses a model no Cairn flavor serves, naming its flavors, and a missing directory', async () => {
    const model = await modelDir('sklearn-model', {
      sklearn: { pickled_model: 'model.pkl' },
      python_function: { loader_module: 'mlflow.sklearn' },
    });
    const refused = generateDockerfile({ modelDir: model, outputDirectory: join(dir, 'no') });
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(refused).rejects.toThrow(
      /none of its flavors \((sklearn, python_function|python_function, sklearn)\) can be served by Cairn/u,
    );
    await expect(
      generateDockerfile({ modelDir: join(dir, 'missing'), outputDirectory: join(dir, 'no') }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field: 'model_uri' } });
  });

  it('defaults the @cairn versions to the serving package version', async () => {
    const model = await modelDir('js-model-2', { js_function: {} });
    const result = await generateDockerfile({ modelDir: model, outputDirectory: join(dir, 'js-2') });
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(result.dependencies['@cairn/serving']).toBe(version);
  });
});
