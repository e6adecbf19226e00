import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '@cairn/core';
import {
  type DataFrame,
  loadModel,
  type ModelInput,
  type Predictor,
  saveModel,
  type TensorMap,
} from '@cairn/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOnnxFlavor, onnxFlavor } from './index.js';
import {
  addModel,
  elemType,
  externalDataModel,
  model,
  multiInputModel,
  node,
  tensorType,
  valueInfo,
  zipMapClassifier,
} from './test-helpers.js';

let work: string;
const open: Predictor[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'cairn-onnx-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((predictor) => predictor.close?.()));
  await rm(work, { recursive: true, force: true });
});

async function modelDir(): Promise<string> {
  return mkdtemp(join(work, 'model-'));
}

/** Saves with the flavor, then loads with the entry it answered, as saveModel/loadModel would. */
async function saveAndLoad(model: Parameters<typeof onnxFlavor.save>[0]): Promise<Predictor> {
  const dir = await modelDir();
  const saved = await onnxFlavor.save(model, { dir });
  const predictor = await onnxFlavor.load({
    dir,
    config: saved.config,
    mlmodel: { flavors: { onnx: saved.config } },
  });
  open.push(predictor);
  return predictor;
}

async function failure(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(CairnError.isInstance(error), `expected a CairnError, got ${String(error)}`).toBe(true);
  return error as CairnError;
}

const frame = (columns: string[], rows: unknown[][]): DataFrame => ({ kind: 'dataframe', columns, rows });

describe('onnxFlavor.save', () => {
  it("writes model.onnx and MLflow's onnx and python_function entries", async () => {
    const dir = await modelDir();
    const bytes = addModel();
    const saved = await onnxFlavor.save(bytes, { dir });
    expect(await readdir(dir)).toEqual(['model.onnx']);
    expect(new Uint8Array(await readFile(join(dir, 'model.onnx')))).toEqual(bytes);
    expect(saved.config).toEqual({
      onnx_version: '1.10.0',
      data: 'model.onnx',
      providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      onnx_session_options: null,
      code: null,
    });
    expect(saved.pythonFunction).toEqual({ loader_module: 'mlflow.onnx', data: 'model.onnx' });
  });

  it('takes a file path, providers, session options and an onnx version', async () => {
    const file = join(work, 'add.onnx');
    await writeFile(file, addModel());
    const dir = await modelDir();
    const saved = await onnxFlavor.save(
      {
        model: file,
        executionProviders: ['CPUExecutionProvider'],
        sessionOptions: { intraOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 99 },
        onnxVersion: '1.17.0',
      },
      { dir },
    );
    expect(saved.config).toMatchObject({
      onnx_version: '1.17.0',
      providers: ['CPUExecutionProvider'],
      onnx_session_options: {
        intra_op_num_threads: 1,
        execution_mode: 'sequential',
        graph_optimization_level: 99,
      },
    });
    const predictor = await onnxFlavor.load({ dir, config: saved.config, mlmodel: { flavors: {} } });
    open.push(predictor);
    const output = (await predictor.predict({
      kind: 'tensor',
      dtype: 'float32',
      shape: [1, 2],
      data: [1, 1],
    })) as TensorMap;
    expect(Array.from(output.tensors.y?.data ?? [])).toEqual([2, 3]);
  });

  it('copies the external data files a model file points at, and loads them back', async () => {
    const { model, data } = externalDataModel('weights/w.bin');
    await mkdir(join(work, 'weights'));
    await writeFile(join(work, 'weights', 'w.bin'), data);
    await writeFile(join(work, 'mm.onnx'), model);
    const dir = await modelDir();
    const saved = await onnxFlavor.save(join(work, 'mm.onnx'), { dir });
    expect(new Uint8Array(await readFile(join(dir, 'weights', 'w.bin')))).toEqual(data);
    const predictor = await onnxFlavor.load({ dir, config: saved.config, mlmodel: { flavors: {} } });
    open.push(predictor);
    const output = (await predictor.predict({
      kind: 'tensor',
      dtype: 'float32',
      shape: [1, 2],
      data: [1, 1],
    })) as TensorMap;
    expect(Array.from(output.tensors.y?.data ?? [])).toEqual([4, 6]);
  });

  it('refuses bytes that are not an ONNX model, and writes nothing', async () => {
    const dir = await modelDir();
    for (const bytes of [
      new TextEncoder().encode('not a model at all'),
      new Uint8Array(),
      Uint8Array.from([0x08]),
    ]) {
      const error = await failure(onnxFlavor.save(bytes, { dir }));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(/the model bytes is not an ONNX model/);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('names a model file that does not exist or does not parse', async () => {
    const dir = await modelDir();
    const missing = await failure(onnxFlavor.save(join(work, 'nope.onnx'), { dir }));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(missing.message).toContain(join(work, 'nope.onnx'));
    await writeFile(join(work, 'bad.onnx'), 'garbage\n');
    const bad = await failure(onnxFlavor.save(join(work, 'bad.onnx'), { dir }));
    expect(bad.code).toBe('INVALID_PARAMETER_VALUE');
    expect(bad.message).toContain(join(work, 'bad.onnx'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses external data it cannot carry or that points outside the directory', async () => {
    const dir = await modelDir();
    const bytesOnly = await failure(onnxFlavor.save(externalDataModel('w.bin').model, { dir }));
    expect(bytesOnly.message).toMatch(/external file 'w.bin'.*pass the path/);
    await writeFile(join(work, 'escape.onnx'), externalDataModel('../secret.bin').model);
    const outside = await failure(onnxFlavor.save(join(work, 'escape.onnx'), { dir }));
    expect(outside.message).toMatch(/'..\/secret.bin' must be a relative path inside the model directory/);
    await writeFile(join(work, 'lost.onnx'), externalDataModel('lost.bin').model);
    const lost = await failure(onnxFlavor.save(join(work, 'lost.onnx'), { dir }));
    expect(lost.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(lost.message).toContain('lost.bin');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses session options MLflow refuses', async () => {
    const dir = await modelDir();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ threads: 2 }, /sessionOptions.threads is not an onnx session option/],
      [{ executionMode: 'fast' }, /executionMode must be 'sequential' or 'parallel'/],
      [{ graphOptimizationLevel: 3 }, /graphOptimizationLevel must be 0, 1, 2 or 99/],
      [{ intraOpNumThreads: -1 }, /intraOpNumThreads must be an integer >= 0/],
    ];
    for (const [sessionOptions, message] of cases) {
      const error = await failure(onnxFlavor.save({ model: addModel(), sessionOptions } as never, { dir }));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(message);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('onnxFlavor.load and predict', () => {
  it('feeds a DataFrame to a one-input model as one 2-D tensor and answers a DataFrame of flattened outputs', async () => {
    const predictor = await saveAndLoad(addModel());
    const output = (await predictor.predict(
      frame(
        ['p', 'q'],
        [
          [1, 1],
          [2.5, -2],
        ],
      ),
    )) as DataFrame;
    expect(output).toEqual({ kind: 'dataframe', columns: ['y'], rows: [[2], [3], [3.5], [0]] });
  });

  it('answers named tensors for a tensor input, casting float64 and integers to the input type', async () => {
    const predictor = await saveAndLoad(addModel());
    const output = (await predictor.predict({
      kind: 'tensor',
      dtype: 'int64',
      shape: [2, 2],
      data: [1, 2, 3, 4],
    })) as TensorMap;
    expect(output.kind).toBe('tensors');
    expect(output.tensors.y?.dtype).toBe('float32');
    expect(output.tensors.y?.shape).toEqual([2, 2]);
    expect(Array.from(output.tensors.y?.data ?? [])).toEqual([2, 4, 4, 6]);
  });

  it('feeds a model with several inputs the column named after each, and named tensors by name', async () => {
    const predictor = await saveAndLoad(multiInputModel());
    const output = (await predictor.predict(
      frame(
        ['b', 'id_in', 'a'],
        [
          [0.5, 7, 1],
          [1, 8, 2],
        ],
      ),
    )) as DataFrame;
    expect(output).toEqual({
      kind: 'dataframe',
      columns: ['sum', 'id'],
      rows: [
        [1.5, 7],
        [3, 8],
      ],
    });
    const tensors = (await predictor.predict({
      kind: 'tensors',
      tensors: {
        a: { kind: 'tensor', dtype: 'float64', shape: [1, 1], data: [1] },
        b: { kind: 'tensor', dtype: 'float64', shape: [1, 1], data: [2] },
        id_in: { kind: 'tensor', dtype: 'int64', shape: [1], data: [9n] },
      },
    })) as TensorMap;
    expect(Array.from(tensors.tensors.sum?.data ?? [])).toEqual([3]);
    expect(tensors.tensors.id).toEqual({ kind: 'tensor', dtype: 'int64', shape: [1], data: [9] });
  });

  it("answers a ZipMap classifier's probabilities as one map per row, under the ZipMap's output name", async () => {
    const predictor = await saveAndLoad(zipMapClassifier([0, 1]));
    const output = (await predictor.predict(
      frame(
        ['f0', 'f1'],
        [
          [0, Math.log(3)],
          [Math.log(4), 0],
        ],
      ),
    )) as DataFrame;
    expect(output.columns).toEqual(['output_label', 'output_probability']);
    expect(output.rows.map((row) => row[0])).toEqual([1, 0]);
    const maps = output.rows.map((row) => row[1] as Record<string, number>);
    expect(Object.keys(maps[0] ?? {})).toEqual(['0', '1']);
    expect(maps[0]?.['0']).toBeCloseTo(0.25, 6);
    expect(maps[0]?.['1']).toBeCloseTo(0.75, 6);
    expect(maps[1]?.['0']).toBeCloseTo(0.8, 6);
    const tensors = (await predictor.predict({
      kind: 'tensor',
      dtype: 'float64',
      shape: [1, 2],
      data: [0, 0],
    })) as TensorMap;
    expect(tensors.tensors.output_probability).toEqual({
      kind: 'tensor',
      dtype: 'object',
      shape: [1],
      data: [{ 0: 0.5, 1: 0.5 }],
    });
  });

  it('keeps string class labels as the maps keys', async () => {
    const predictor = await saveAndLoad(zipMapClassifier(['cat', 'dog', 'emu']));
    const output = (await predictor.predict(frame(['a', 'b', 'c'], [[0, 0, 0]]))) as DataFrame;
    const map = output.rows[0]?.[1] as Record<string, number>;
    expect(Object.keys(map)).toEqual(['cat', 'dog', 'emu']);
    expect(map.dog).toBeCloseTo(1 / 3, 6);
  });

  it('refuses inputs that do not fit the model, naming the input', async () => {
    const single = await saveAndLoad(addModel());
    const cases: [ModelInput, RegExp][] = [
      [frame(['p'], [[1]]), /the DataFrame has shape \[1, 1\], and input 'x' takes shape \[-1, 2\]/],
      [
        frame(['p', 'q'], [['a', 1]]),
        /the DataFrame value "a" at index 0 is not a number, and input 'x' takes float32/,
      ],
      [{ kind: 'json', value: { x: [1, 2] } }, /predicts on a DataFrame, a tensor or named tensors/],
      [{ kind: 'tensors', tensors: {} }, /no tensor for input 'x'/],
    ];
    for (const [input, message] of cases) {
      const error = await failure(single.predict(input));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(message);
    }
    const multi = await saveAndLoad(multiInputModel());
    const missing = await failure(multi.predict(frame(['a', 'b'], [[1, 2]])));
    expect(missing.message).toMatch(/the DataFrame has no column 'id_in'/);
    const fraction = await failure(multi.predict(frame(['a', 'b', 'id_in'], [[1, 2, 1.5]])));
    expect(fraction.message).toMatch(
      /column 'id_in' value 1.5 at index 0 is not an integer in int64's range/,
    );
    const tensor = await failure(multi.predict({ kind: 'tensor', dtype: 'float32', shape: [1], data: [1] }));
    expect(tensor.message).toMatch(/a single tensor feeds only a model with one input; this model has 3/);
  });

  it('names a missing or unparseable model file', async () => {
    const dir = await modelDir();
    const context = { dir, config: { data: 'model.onnx' }, mlmodel: { flavors: {} } };
    const missing = await failure(onnxFlavor.load(context));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(missing.message).toContain(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model.onnx'), 'not onnx');
    const garbage = await failure(onnxFlavor.load(context));
    expect(garbage.code).toBe('INVALID_PARAMETER_VALUE');
    expect(garbage.message).toContain(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model.onnx'), zipMapClassifier([0, 1, 2]).subarray(0, 40));
    const truncated = await failure(onnxFlavor.load(context));
    expect(truncated.code).toBe('INVALID_PARAMETER_VALUE');
    expect(truncated.message).toMatch(/is not an ONNX model/);
    // Parses as a ModelProto, but onnxruntime refuses the graph (an Add with one input).
    const oneInputAdd = model({
      nodes: [node('Add', ['x'], ['y'])],
      inputs: [valueInfo('x', tensorType(elemType.float, ['n']))],
      outputs: [valueInfo('y', tensorType(elemType.float, ['n']))],
    });
    await writeFile(join(dir, 'model.onnx'), oneInputAdd);
    const refused = await failure(onnxFlavor.load(context));
    expect(refused.code).toBe('INVALID_PARAMETER_VALUE');
    expect(refused.message).toContain(`onnxruntime cannot load the ONNX file '${join(dir, 'model.onnx')}'`);
    const outside = await failure(onnxFlavor.load({ ...context, config: { data: '../../etc/passwd' } }));
    expect(outside.message).toMatch(
      /'data' '..\/..\/etc\/passwd' must be a relative path inside the model directory/,
    );
  });

  it("loads with MLflow's providers and session options as Python wrote them, CPU when a provider is not bundled", async () => {
    const dir = await modelDir();
    await writeFile(join(dir, 'model.onnx'), addModel());
    for (const providers of [
      ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      'CPUExecutionProvider',
      null,
      [['CUDAExecutionProvider', { device_id: 0 }]],
    ]) {
      const predictor = await onnxFlavor.load({
        dir,
        config: {
          data: 'model.onnx',
          providers,
          onnx_session_options: {
            intra_op_num_threads: 1,
            execution_mode: 'PARALLEL',
            extra_session_config: { 'session.intra_op.allow_spinning': '0' },
          },
        },
        mlmodel: { flavors: {} },
      });
      open.push(predictor);
      const output = (await predictor.predict({
        kind: 'tensor',
        dtype: 'float32',
        shape: [1, 2],
        data: [0, 0],
      })) as TensorMap;
      expect(Array.from(output.tensors.y?.data ?? [])).toEqual([1, 2]);
    }
  });

  it('releases the session on close, after which predict fails', async () => {
    const dir = await modelDir();
    await writeFile(join(dir, 'model.onnx'), addModel());
    const predictor = await createOnnxFlavor({ executionProviders: ['cpu'] }).load({
      dir,
      config: {},
      mlmodel: { flavors: {} },
    });
    await predictor.close?.();
    await predictor.close?.();
    const error = await failure(
      predictor.predict({ kind: 'tensor', dtype: 'float32', shape: [1, 2], data: [0, 0] }),
    );
    expect(error.code).toBe('INVALID_STATE');
  });
});

describe('with saveModel and loadModel', () => {
  it('saves a model directory loadModel opens with the onnx flavor, predicting on records', async () => {
    const dir = join(work, 'saved');
    const mlmodel = await saveModel(dir, { model: zipMapClassifier([0, 1]), flavor: onnxFlavor });
    expect(Object.keys(mlmodel.flavors)).toEqual(['onnx', 'python_function']);
    expect((await readdir(dir)).sort()).toEqual(['MLmodel', 'model.onnx']);
    const loaded = await loadModel(dir, { flavors: [onnxFlavor] });
    try {
      expect(loaded.flavor).toBe('onnx');
      const output = (await loaded.predict([{ f0: 0, f1: 0 }])) as DataFrame;
      expect(output).toEqual({
        kind: 'dataframe',
        columns: ['output_label', 'output_probability'],
        rows: [[0, { 0: 0.5, 1: 0.5 }]],
      });
    } finally {
      await loaded.close();
    }
    const without = await failure(loadModel(dir));
    expect(without.message).toMatch(/onnx needs @cairn\/onnx/);
  });

  it('leaves no directory behind when the model is refused', async () => {
    const dir = join(work, 'refused');
    const error = await failure(saveModel(dir, { model: new Uint8Array([1, 2, 3]), flavor: onnxFlavor }));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(await readdir(work)).not.toContain('refused');
  });
});

describe('the skl2onnx fixtures (see __fixtures__/make-fixtures.py)', () => {
  const fixtures = new URL('./__fixtures__/', import.meta.url);
  const fixture = (name: string) => fileURLToPath(new URL(name, fixtures));

  it("predicts sklearn's labels and probabilities for the converted LogisticRegression", async () => {
    const expected = JSON.parse(await readFile(fixture('expected.json'), 'utf8')) as {
      rows: number[][];
      labels: number[];
      probabilities: number[][];
      regression: number[];
    };
    const dir = join(work, 'logistic-regression');
    await saveModel(dir, { model: fixture('iris-logistic-regression.onnx'), flavor: onnxFlavor });
    const classifier = await loadModel(dir, { flavors: [onnxFlavor] });
    const regressorDir = join(work, 'random-forest');
    await saveModel(regressorDir, {
      model: fixture('iris-random-forest-regressor.onnx'),
      flavor: onnxFlavor,
    });
    const regressor = await loadModel(regressorDir, { flavors: [onnxFlavor] });
    try {
      const classes = (await classifier.predict({
        kind: 'dataframe',
        columns: ['a', 'b', 'c', 'd'],
        rows: expected.rows,
      })) as DataFrame;
      expect(classes.rows.map((row) => row[0])).toEqual(expected.labels);
      classes.rows.forEach((row, i) => {
        const probabilities = Object.values(row[1] as Record<string, number>);
        probabilities.forEach((p, k) => {
          expect(Math.abs(p - (expected.probabilities[i]?.[k] as number))).toBeLessThanOrEqual(1e-5);
        });
      });
      const values = (await regressor.predict(expected.rows.map((row) => row.slice(0, 3)))) as TensorMap;
      const predicted = Array.from(values.tensors.variable?.data as Float32Array);
      expect(values.tensors.variable?.shape).toEqual([expected.rows.length, 1]);
      predicted.forEach((value, i) => {
        expect(Math.abs(value - (expected.regression[i] as number))).toBeLessThanOrEqual(1e-5);
      });
    } finally {
      await classifier.close();
      await regressor.close();
    }
  });
});
