import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferSignature } from './infer-signature.js';
import { saveInputExample } from './input-example.js';
import { readMLmodel } from './mlmodel-file.js';
import { saveModel } from './save-model.js';
import { fixtures, temporaryDirectory } from './test-helpers.js';
import { toExampleInput } from './to-model-input.js';

describe('inferSignature', () => {
  it.each([
    [
      'records with MLflow type names',
      [
        { id: 1, score: 0.5, name: 'a', ok: true, blob: new Uint8Array([1]), at: new Date(0), big: 2n },
        { id: 2, score: 1, name: 'b', ok: false, blob: new Uint8Array([2]), at: new Date(1), big: 3n },
      ],
      {
        kind: 'columns',
        columns: [
          { name: 'id', type: 'long', required: true },
          { name: 'score', type: 'double', required: true },
          { name: 'name', type: 'string', required: true },
          { name: 'ok', type: 'boolean', required: true },
          { name: 'blob', type: 'binary', required: true },
          { name: 'at', type: 'datetime', required: true },
          { name: 'big', type: 'long', required: true },
        ],
      },
    ],
    [
      'an object of columns, a missing value making a column optional',
      { x: [1, null], tags: ['a', 'b'] },
      {
        kind: 'columns',
        columns: [
          { name: 'x', type: 'long', required: false },
          { name: 'tags', type: 'string', required: true },
        ],
      },
    ],
    [
      'arrays and objects as MLflow array/object types',
      [{ values: [1.5, 2], obj: { a: 1, b: 'x' } }],
      {
        kind: 'columns',
        columns: [
          { name: 'values', type: { type: 'array', items: { type: 'double' } }, required: true },
          {
            name: 'obj',
            type: {
              type: 'object',
              properties: { a: { type: 'long', required: true }, b: { type: 'string', required: true } },
            },
            required: true,
          },
        ],
      },
    ],
    [
      'a list of strings as one unnamed column',
      ['hello', 'world'],
      { kind: 'columns', columns: [{ type: 'string', required: true }] },
    ],
    [
      'a list of numbers as one unnamed column',
      [1, 2],
      { kind: 'columns', columns: [{ type: 'long', required: true }] },
    ],
    ['a string', 'hi', { kind: 'columns', columns: [{ type: 'string', required: true }] }],
    [
      'a dict of scalars as named columns (like MLflow for a dict example)',
      { question: 'why', n: 3 },
      {
        kind: 'columns',
        columns: [
          { name: 'question', type: 'string', required: true },
          { name: 'n', type: 'long', required: true },
        ],
      },
    ],
    [
      'a typed array as a tensor with a -1 batch',
      new Float32Array([1, 2]),
      { kind: 'tensors', tensors: [{ dtype: 'float32', shape: [-1] }] },
    ],
    [
      'a tagged tensor',
      { kind: 'tensor', dtype: 'float64', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { kind: 'tensors', tensors: [{ dtype: 'float64', shape: [-1, 3] }] },
    ],
    [
      'named typed arrays',
      { ids: new BigInt64Array([1n]), mask: new Uint8Array([1]) },
      {
        kind: 'tensors',
        tensors: [
          { name: 'ids', dtype: 'int64', shape: [-1] },
          { name: 'mask', dtype: 'uint8', shape: [-1] },
        ],
      },
    ],
  ])('infers %s', (_case, example, inputs) => {
    expect(inferSignature(example).inputs).toEqual(inputs);
  });

  it('infers params with their types, list shapes and the example values as defaults', () => {
    expect(
      inferSignature('x', undefined, { temperature: 0.5, n: 2, stop: ['\n'], flag: true }).params,
    ).toEqual([
      { name: 'temperature', type: 'double', default: 0.5, shape: null },
      { name: 'n', type: 'long', default: 2, shape: null },
      { name: 'stop', type: 'string', default: ['\n'], shape: [-1] },
      { name: 'flag', type: 'boolean', default: true, shape: null },
    ]);
  });

  it('infers the same signature MLflow 3.18 wrote for the same examples', async () => {
    const sklearn = await readMLmodel(join(fixtures, 'mlflow-3.18/sklearn-columns'));
    expect(inferSignature({ x: [1, 2, 3], y: [0.5, 1.5, 2.5] }).inputs).toEqual(sklearn.signature?.inputs);
    const strings = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-strings'));
    expect(inferSignature(['hello', 'world']).inputs).toEqual(strings.signature?.inputs);
    const dict = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-dict-params'));
    const inferred = inferSignature({ question: 'why', n: 3 }, undefined, { temperature: 0.1 });
    expect(inferred.inputs).toEqual(dict.signature?.inputs);
    expect(inferred.params).toEqual(dict.signature?.params);
  });
});

describe('input examples', () => {
  it.each([
    ['sklearn-columns', { x: [1, 2, 3], y: [0.5, 1.5, 2.5] }, undefined],
    ['pyfunc-strings', ['hello', 'world'], undefined],
    ['pyfunc-dict-params', { question: 'why', n: 3 }, { temperature: 0.1 }],
    ['pyfunc-tensor', { kind: 'tensor', dtype: 'float64', shape: [2, 2], data: [1.5, 2, 3, 4] }, undefined],
  ])('writes %s as MLflow 3.18 does', async (name, example, params) => {
    const dir = await temporaryDirectory();
    const info = await saveInputExample(dir, toExampleInput(example), params);
    const mlflow = await readMLmodel(join(fixtures, 'mlflow-3.18', name));
    expect(info).toEqual(mlflow.savedInputExampleInfo);
    const ours = JSON.parse(await readFile(join(dir, 'serving_input_example.json'), 'utf8'));
    const theirs = JSON.parse(
      await readFile(join(fixtures, 'mlflow-3.18', name, 'serving_input_example.json'), 'utf8'),
    );
    if (name === 'pyfunc-tensor') {
      // MLflow's example was [[1.0, 2.0], ...]; the shape of the request is what is compared.
      expect(ours).toEqual({
        inputs: [
          [1.5, 2],
          [3, 4],
        ],
      });
      expect(Object.keys(theirs)).toEqual(['inputs']);
    } else {
      expect(ours).toEqual(theirs);
      expect(JSON.parse(await readFile(join(dir, 'input_example.json'), 'utf8'))).toEqual(
        JSON.parse(await readFile(join(fixtures, 'mlflow-3.18', name, 'input_example.json'), 'utf8')),
      );
    }
  });

  it('saveModel writes the example, infers the signature from it and the outputs from predicting it', async () => {
    const dir = join(await temporaryDirectory(), 'model');
    const mlmodel = await saveModel(dir, {
      model: (input: { rows: unknown[][] }) => input.rows.map((row) => `${row[0]}!`),
      inputExample: [{ text: 'a' }, { text: 'b' }],
      inputExampleParams: { shout: true },
    });
    expect(mlmodel.savedInputExampleInfo).toEqual({
      artifact_path: 'input_example.json',
      type: 'dataframe',
      pandas_orient: 'split',
      params: 'true',
      serving_input_path: 'serving_input_example.json',
    });
    expect(mlmodel.signature).toEqual({
      inputs: { kind: 'columns', columns: [{ name: 'text', type: 'string', required: true }] },
      outputs: { kind: 'columns', columns: [{ type: 'string', required: true }] },
      params: [{ name: 'shout', type: 'boolean', default: true, shape: null }],
    });
    expect(JSON.parse(await readFile(join(dir, 'serving_input_example.json'), 'utf8'))).toEqual({
      dataframe_split: { columns: ['text'], data: [['a'], ['b']] },
      params: { shout: true },
    });
    expect(await readMLmodel(dir)).toEqual(mlmodel);
  });

  it('an explicit signature wins and false writes none', async () => {
    const first = join(await temporaryDirectory(), 'model');
    const none = await saveModel(first, { model: () => 1, inputExample: [1], signature: false });
    expect(none.signature).toBeUndefined();
    const second = join(await temporaryDirectory(), 'model');
    const signature = {
      inputs: { kind: 'columns' as const, columns: [{ type: 'double' as const, required: true }] },
    };
    expect((await saveModel(second, { model: () => 1, inputExample: [1], signature })).signature).toEqual(
      signature,
    );
  });
});
