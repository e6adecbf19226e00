import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Flavor } from './flavor.js';
import { loadModel } from './load-model.js';
import { readMLmodel } from './mlmodel-file.js';
import { saveModel } from './save-model.js';
import { caught, fixtures, temporaryDirectory } from './test-helpers.js';

const moduleFile = join(fixtures, 'js-models/scaler.mjs');
const helpersFile = join(fixtures, 'js-models/helpers.mjs');

async function factorFile(value: string): Promise<string> {
  const dir = await temporaryDirectory();
  const file = join(dir, 'factor.txt');
  await writeFile(file, value);
  return file;
}

describe('js_function models from code', () => {
  it('saves a module with code paths and artifacts and loads it with context.artifacts and modelConfig', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    const mlmodel = await saveModel(dir, {
      model: { module: moduleFile, export: 'model' },
      codePaths: [helpersFile],
      artifacts: { factor: await factorFile('3') },
      modelConfig: { offset: 1 },
      metadata: { team: 'search' },
    });
    expect(mlmodel.flavors.js_function).toMatchObject({
      loader: '@cairn/models',
      entry: 'code/scaler.mjs',
      export: 'model',
      code: 'code',
      artifacts: { factor: { path: 'artifacts/factor/factor.txt' } },
      model_config: { offset: 1 },
      engines: { node: '>=20' },
      node_version: process.version,
    });
    expect(mlmodel.flavors.python_function).toBeUndefined();
    expect(existsSync(join(dir, 'code/helpers.mjs'))).toBe(true);
    expect(await readMLmodel(dir)).toEqual(mlmodel);
    expect(mlmodel.modelSizeBytes).toBeGreaterThan(0);

    // Loading from another place proves the copies are used, not the originals.
    const model = await loadModel(`file://${dir}`);
    expect(model.flavor).toBe('js_function');
    expect(model.mlmodel.metadata).toEqual({ team: 'search' });
    await expect(model.predict([{ x: 2 }, { x: 5 }])).resolves.toEqual([8, 20]);
    await model.close();
    await expect(model.predict([{ x: 1 }])).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('loads the default export, a function, with params', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, { model: { module: moduleFile }, codePaths: [helpersFile], artifacts: {} });
    const model = await loadModel(dir);
    await expect(model.predict('hello', { k: 1 })).resolves.toEqual({
      kind: 'json',
      value: { input: 'hello', params: { k: 1 } },
    });
  });

  it('gives each load its own module state', async () => {
    const first = join(await temporaryDirectory(), 'a');
    await saveModel(first, {
      model: { module: moduleFile, export: 'model' },
      codePaths: [helpersFile],
      artifacts: { factor: await factorFile('2') },
    });
    const a = await loadModel(first);
    const b = await loadModel(first);
    await rm(join(first, 'artifacts/factor/factor.txt'));
    await writeFile(join(first, 'artifacts/factor/factor.txt'), '10');
    const c = await loadModel(first);
    await expect(a.predict([{ x: 1 }])).resolves.toEqual([2]);
    await expect(b.predict([{ x: 1 }])).resolves.toEqual([2]);
    await expect(c.predict([{ x: 1 }])).resolves.toEqual([10]);
  });
});

describe('js_function models from a function or object', () => {
  it('saves a self-contained function as an ES module and loads it', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, {
      model: (input: { rows: number[][] }) => input.rows.map((row) => (row[0] ?? 0) * 2),
      inputExample: { kind: 'json', value: [1, 2] },
    });
    const source = await readFile(join(dir, 'code/model.mjs'), 'utf8');
    expect(source).toContain('export default (');
    const model = await loadModel(dir);
    // The signature inferred from the example (one unnamed long column) makes the input a table.
    expect(model.mlmodel.signature).toEqual({
      inputs: { kind: 'columns', columns: [{ type: 'long', required: true }] },
      outputs: { kind: 'columns', columns: [{ type: 'long', required: true }] },
    });
    await expect(model.predict([3, 4])).resolves.toEqual([6, 8]);
    await expect(model.predict([1.5])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('saves an object of JSON data and methods, shorthand and arrow', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, {
      model: {
        weights: [2, 3] as number[],
        bias: 1,
        predict(this: { weights: number[]; bias: number }, input: { rows: number[][] }): number[] {
          return input.rows.map((row) =>
            row.reduce((sum, x, i) => sum + x * (this.weights[i] ?? 0), this.bias),
          );
        },
        describe: () => 'linear',
      },
    });
    const model = await loadModel(dir);
    await expect(model.predict([{ a: 1, b: 1 }])).resolves.toEqual([6]);
  });

  it('refuses a closure over outside state when the input example runs it, and leaves no directory', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    const table = new Map([[1, 'one']]);
    const error = await caught(() =>
      saveModel(dir, {
        model: (input: { value: number }) => table.get(input.value),
        inputExample: { kind: 'json', value: 1 },
      }),
    );
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(/table is not defined.*closure.*module file/su);
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [
      'a class instance',
      new (class Scorer {
        predict(): number {
          return 1;
        }
      })(),
      /instance of Scorer/u,
    ],
    ['a class', class Model {}, /Cannot save a class/u],
    ['a bound function', ((x: unknown): unknown => x).bind(null) as unknown, /built-in or bound function/u],
    ['non-JSON data', { lookup: new Map(), predict: () => 1 }, /model.lookup: only JSON values/u],
    ['an object without predict', { score: () => 1 }, /function, an object with predict/u],
    ['a number', 42, /function, an object with predict/u],
    ['a module that is not ES', { module: join(fixtures, 'README.md') }, /must be an ES module file/u],
    ['a missing module', { module: join(fixtures, 'nope.mjs') }, /model.module: .*nope.mjs' does not exist/u],
  ])('refuses %s with INVALID_PARAMETER_VALUE', async (_case, model, message) => {
    const dir = join(await temporaryDirectory(), 'model');
    const error = await caught(() => saveModel(dir, { model: model as never }));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a missing artifact or code path naming it, and a bad artifact name', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    const missingArtifact = await caught(() =>
      saveModel(dir, { model: () => 1, artifacts: { vocab: '/nowhere/vocab.txt' } }),
    );
    expect(missingArtifact.message).toContain("artifacts.vocab: '/nowhere/vocab.txt' does not exist");
    const missingCode = await caught(() =>
      saveModel(dir, { model: () => 1, codePaths: ['/nowhere/lib.mjs'] }),
    );
    expect(missingCode.message).toContain("code_paths: '/nowhere/lib.mjs' does not exist");
    const badName = await caught(() =>
      saveModel(dir, { model: () => 1, artifacts: { '../x': helpersFile } }),
    );
    expect(badName.message).toContain("the name '../x'");
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a directory that is not empty with RESOURCE_ALREADY_EXISTS, leaving it alone', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'keep.txt'), 'mine');
    const error = await caught(() => saveModel(dir, { model: () => 1 }));
    expect(error.code).toBe('RESOURCE_ALREADY_EXISTS');
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('loading models', () => {
  it('names the missing module, artifact or export', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, {
      model: { module: moduleFile, export: 'model' },
      codePaths: [helpersFile],
      artifacts: { factor: await factorFile('1') },
    });
    await rm(join(dir, 'artifacts/factor/factor.txt'));
    const artifact = await caught(() => loadModel(dir));
    expect(artifact.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(artifact.message).toContain("artifact 'factor'");
    expect(artifact.message).toContain(join(dir, 'artifacts/factor/factor.txt'));

    await rm(join(dir, 'code/helpers.mjs'));
    await writeFile(join(dir, 'artifacts/factor/factor.txt'), '1');
    const helper = await caught(() => loadModel(dir));
    expect(helper.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(helper.message).toContain('helpers.mjs');

    await rm(join(dir, 'code/scaler.mjs'));
    const entry = await caught(() => loadModel(dir));
    expect(entry.message).toContain(join(dir, 'code/scaler.mjs'));

    const other = join(await temporaryDirectory(), 'model');
    await saveModel(other, { model: { module: moduleFile, export: 'nothing' }, codePaths: [helpersFile] });
    const missingExport = await caught(() => loadModel(other));
    expect(missingExport.message).toMatch(/no model under export 'nothing'/u);
  });

  it('fails for a missing directory or one without an MLmodel', async () => {
    expect((await caught(() => loadModel('/nowhere/model'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    const empty = await temporaryDirectory();
    expect((await caught(() => loadModel(empty))).message).toMatch(/Could not find an MLmodel/u);
  });

  it("refuses MLflow's Python models naming each flavor and what loads it", async () => {
    const error = await caught(() => loadModel(join(fixtures, 'mlflow-3.18/sklearn-columns')));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toContain(
      "python_function (loader_module mlflow.sklearn) needs Python's mlflow.sklearn (no JavaScript loader)",
    );
    expect(error.message).toContain("sklearn needs Python's mlflow.sklearn (no JavaScript loader)");
    expect(error.details?.flavors).toEqual(['python_function', 'sklearn']);
  });

  it('names the package of a Cairn flavor not given, and uses it when given', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'MLmodel'), 'flavors:\n  onnx:\n    data: model.onnx\n  tfjs: {}\n');
    const error = await caught(() => loadModel(dir));
    expect(error.message).toContain('onnx needs @cairn/onnx');
    expect(error.message).toContain('tfjs needs @cairn/tfjs');
    const onnx: Flavor = {
      name: 'onnx',
      packageName: '@cairn/onnx',
      save: async () => ({ config: {} }),
      load: async (context) => ({ predict: async () => ({ data: context.config.data }) }),
    };
    const tfjs: Flavor = { ...onnx, name: 'tfjs', load: async () => ({ predict: async () => 'tfjs' }) };
    const model = await loadModel(dir, { flavors: [tfjs, onnx] });
    expect(model.flavor).toBe('tfjs');
    const onlyOnnx = await loadModel(dir, { flavors: [onnx] });
    await expect(onlyOnnx.predict('x')).resolves.toEqual({ data: 'model.onnx' });
  });

  it('prefers js_function over other flavors present', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    await saveModel(dir, { model: () => 'js' });
    const mlmodel = await readMLmodel(dir);
    await writeFile(
      join(dir, 'MLmodel'),
      (await readFile(join(dir, 'MLmodel'), 'utf8')).replace('flavors:\n', 'flavors:\n  onnx: {}\n'),
    );
    expect(Object.keys((await readMLmodel(dir)).flavors)).toEqual(['onnx', ...Object.keys(mlmodel.flavors)]);
    const onnx: Flavor = {
      name: 'onnx',
      packageName: '@cairn/onnx',
      save: async () => ({ config: {} }),
      load: async () => ({ predict: async () => 'onnx' }),
    };
    await expect((await loadModel(dir, { flavors: [onnx] })).predict('x')).resolves.toBe('js');
  });
});
