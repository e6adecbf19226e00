import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import {
  formatUtcTimeCreated,
  parseMLmodel,
  readMLmodel,
  stringifyMLmodel,
  writeMLmodel,
} from './mlmodel-file.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

async function caught(work: () => unknown): Promise<CairnError> {
  try {
    await work();
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

describe('MLmodel files written by MLflow 3.18', () => {
  it('reads an sklearn model: both flavors, column signature, input example info, nulls as absent', async () => {
    const mlmodel = await readMLmodel(join(fixtures, 'mlflow-3.18/sklearn-columns'));
    expect(Object.keys(mlmodel.flavors)).toEqual(['python_function', 'sklearn']);
    expect(mlmodel.flavors.python_function?.loader_module).toBe('mlflow.sklearn');
    expect(mlmodel.mlflowVersion).toBe('3.18.0');
    expect(mlmodel.modelId).toBeUndefined();
    expect(mlmodel.modelSizeBytes).toBe(7112);
    expect(mlmodel.utcTimeCreated).toBe('2026-12-07 17:47:36.487939');
    expect(mlmodel.signature).toEqual({
      inputs: {
        kind: 'columns',
        columns: [
          { type: 'long', name: 'x', required: true },
          { type: 'double', name: 'y', required: true },
        ],
      },
      outputs: { kind: 'columns', columns: [{ type: 'double', required: true }] },
    });
    expect(mlmodel.savedInputExampleInfo).toEqual({
      artifact_path: 'input_example.json',
      pandas_orient: 'split',
      serving_input_path: 'serving_input_example.json',
      type: 'dataframe',
    });
    expect(mlmodel.extra).toEqual({
      is_signature_from_type_hint: false,
      prompts: null,
      type_hint_from_example: false,
    });
  });

  it('reads array/object columns, optional columns and params with defaults and shapes', async () => {
    const mlmodel = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-columns-params/MLmodel'));
    const inputs = mlmodel.signature?.inputs;
    expect(inputs?.kind).toBe('columns');
    if (inputs?.kind !== 'columns') return;
    expect(inputs.columns.find((column) => column.name === 'label')).toEqual({
      type: 'string',
      name: 'label',
      required: false,
    });
    expect(inputs.columns.find((column) => column.name === 'values')?.type).toEqual({
      type: 'array',
      items: { type: 'double' },
    });
    expect(inputs.columns.find((column) => column.name === 'obj')?.type).toEqual({
      type: 'object',
      properties: { a: { type: 'long', required: true }, b: { type: 'string', required: false } },
    });
    expect(mlmodel.signature?.params).toEqual([
      { name: 'temperature', type: 'double', default: 0.5, shape: null },
      { name: 'max_tokens', type: 'long', default: 16, shape: null },
      { name: 'stop', type: 'string', default: ['\n'], shape: [-1] },
      { name: 'flag', type: 'boolean', default: false, shape: null },
    ]);
    expect(mlmodel.metadata).toEqual({ owner: 'fixtures' });
  });

  it('reads a tensor signature and a numeric output column name', async () => {
    const tensor = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-tensor'));
    expect(tensor.signature?.inputs).toEqual({
      kind: 'tensors',
      tensors: [{ dtype: 'float64', shape: [-1, 2] }],
    });
    const strings = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-strings'));
    expect(strings.signature?.outputs).toEqual({
      kind: 'columns',
      columns: [{ type: 'string', name: '0', required: true }],
    });
  });

  it.each([
    'sklearn-columns',
    'pyfunc-columns-params',
    'pyfunc-tensor',
    'pyfunc-strings',
    'pyfunc-dict-params',
  ])('%s survives a write and a read unchanged', async (name) => {
    const first = await readMLmodel(join(fixtures, 'mlflow-3.18', name));
    expect(parseMLmodel(stringifyMLmodel(first))).toEqual(first);
  });
});

describe('MLmodel files of older MLflow versions', () => {
  it('reads MLflow 2.9: artifact_path, run_id, a tensor output', async () => {
    const mlmodel = await readMLmodel(join(fixtures, 'hand-written/mlflow-2.9-sklearn.MLmodel'));
    expect(mlmodel.artifactPath).toBe('model');
    expect(mlmodel.runId).toBe('0a1b2c3d4e5f60718293a4b5c6d7e8f9');
    expect(mlmodel.signature?.outputs).toEqual({
      kind: 'tensors',
      tensors: [{ dtype: 'int64', shape: [-1] }],
    });
    expect(mlmodel.signature?.params).toBeUndefined();
  });

  it('reads MLflow 1.30: columns without required are required, unknown keys kept', async () => {
    const mlmodel = await readMLmodel(join(fixtures, 'hand-written/mlflow-1.30-databricks.MLmodel'));
    expect(mlmodel.signature?.inputs).toEqual({
      kind: 'columns',
      columns: [{ type: 'string', name: 'text', required: true }],
    });
    expect(mlmodel.extra).toEqual({ databricks_runtime: '12.2.x-cpu-ml-scala2.12' });
    expect(parseMLmodel(stringifyMLmodel(mlmodel))).toEqual(mlmodel);
  });
});

describe('writing MLmodel files', () => {
  it('writes MLflow keys, the signature as JSON strings, and quotes what YAML 1.1 would retype', async () => {
    const text = stringifyMLmodel({
      flavors: { js_function: { entry: 'model.mjs' } },
      modelUuid: 'abc',
      modelId: 'm-123',
      utcTimeCreated: '2026-01-02 03:04:05.678000',
      cairnVersion: '0.1.0',
      metadata: { answer: 'yes', on: 'off' },
      signature: {
        inputs: { kind: 'columns', columns: [{ type: 'long', name: 'x', required: true }] },
        params: [{ name: 'k', type: 'long', default: 3, shape: null }],
      },
    });
    expect(text).toContain(`inputs: '[{"type": "long", "name": "x", "required": true}]'`);
    expect(text).toContain('outputs: null');
    expect(text).toContain(`params: '[{"name": "k", "default": 3, "shape": null, "type": "long"}]'`);
    expect(text).toContain('answer: "yes"');
    expect(text).toContain('model_id: m-123');
    expect(text).toContain('cairn_version: 0.1.0');
    expect(text).not.toContain('mlflow_version');
    expect(text.indexOf('cairn_version')).toBeLessThan(text.indexOf('flavors'));
  });

  it('writeMLmodel replaces the file whole and readMLmodel reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mlmodel-'));
    const mlmodel = { flavors: { js_function: { entry: 'model.mjs' } }, runId: 'r1' };
    await writeMLmodel(dir, mlmodel);
    expect(await readMLmodel(dir)).toEqual(mlmodel);
    expect(await readFile(join(dir, 'MLmodel'), 'utf8')).toContain('run_id: r1');
  });

  it('formats utc_time_created as MLflow does', () => {
    expect(formatUtcTimeCreated(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe(
      '2026-01-02 03:04:05.678000',
    );
  });
});

describe('bad MLmodel files', () => {
  it.each([
    ['truncated YAML', 'flavors:\n  js_function: {entry: [a\n', /not valid YAML/u, undefined],
    ['a scalar document', 'hello\n', /must be a YAML mapping/u, undefined],
    ['an empty file', '', /must be a YAML mapping, got null/u, undefined],
    ['no flavors', 'run_id: abc\n', /has no 'flavors'/u, 'flavors'],
    ['flavors a list', 'flavors: [a, b]\n', /Invalid flavors .*expected a mapping/u, 'flavors'],
    ['a flavor not a mapping', 'flavors:\n  onnx: 3\n', /Invalid flavors.onnx/u, 'flavors.onnx'],
    [
      'run_id a list',
      'flavors: {}\nrun_id: [1]\n',
      /Invalid run_id .*expected a string, got a list/u,
      'run_id',
    ],
    ['metadata a string', 'flavors: {}\nmetadata: x\n', /Invalid metadata/u, 'metadata'],
    [
      'model_size_bytes a string',
      'flavors: {}\nmodel_size_bytes: big\n',
      /model_size_bytes/u,
      'model_size_bytes',
    ],
    ['signature a string', 'flavors: {}\nsignature: x\n', /Invalid signature/u, 'signature'],
    [
      'signature inputs not JSON',
      "flavors: {}\nsignature:\n  inputs: '[{'\n",
      /signature.inputs .*not JSON/u,
      'signature.inputs',
    ],
    [
      'an unknown column type',
      `flavors: {}\nsignature:\n  inputs: '[{"type": "decimal"}]'\n`,
      /unknown column type 'decimal'/u,
      'signature.inputs',
    ],
    [
      'an unknown dtype',
      `flavors: {}\nsignature:\n  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "complex", "shape": [1]}}]'\n`,
      /unknown tensor dtype/u,
      'signature.inputs',
    ],
    [
      'a bad param type',
      `flavors: {}\nsignature:\n  params: '[{"name": "p", "type": "tensor"}]'\n`,
      /param 'p' has unknown type/u,
      'signature.params',
    ],
    ['duplicate keys', 'flavors: {}\nflavors: {}\n', /not valid YAML: Map keys must be unique/u, undefined],
  ])('%s fails with INVALID_PARAMETER_VALUE naming the file and key', async (_case, text, message, field) => {
    const error = await caught(() => parseMLmodel(text, '/models/m/MLmodel'));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('/models/m/MLmodel');
    expect(error.details?.file).toBe('/models/m/MLmodel');
    expect(error.details?.field).toBe(field);
  });

  it('a directory without MLmodel fails with RESOURCE_DOES_NOT_EXIST naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mlmodel-'));
    const error = await caught(() => readMLmodel(dir));
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.message).toContain(dir);
    await writeFile(join(dir, 'MLmodel'), 'flavors: [');
    expect((await caught(() => readMLmodel(dir))).message).toContain(join(dir, 'MLmodel'));
    const missing = await caught(() => readMLmodel(join(dir, 'nope')));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
