import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelInput, PredictParams } from './model-input.js';
import { tensorToNested } from './to-model-input.js';

/** The files MLflow writes an input example to. */
export const inputExampleFileName = 'input_example.json';
export const servingInputExampleFileName = 'serving_input_example.json';

/** A cell as JSON: bytes as base64 (MLflow's binary columns), dates as ISO strings, bigints as numbers. */
function jsonCell(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(jsonCell);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonCell(item)]));
  }
  return value;
}

/** The example's JSON, its serving request and its `saved_input_example_info` type, as MLflow 3 writes them. */
function describeExample(input: ModelInput): {
  example: unknown;
  serving: Record<string, unknown>;
  info: Record<string, unknown>;
} {
  switch (input.kind) {
    case 'dataframe': {
      const split = { columns: [...input.columns], data: input.rows.map((row) => row.map(jsonCell)) };
      return {
        example: split,
        serving: { dataframe_split: split },
        info: { type: 'dataframe', pandas_orient: 'split' },
      };
    }
    case 'tensor': {
      const nested = tensorToNested(input);
      return { example: nested, serving: { inputs: nested }, info: { type: 'ndarray' } };
    }
    case 'tensors': {
      const named = Object.fromEntries(
        Object.entries(input.tensors).map(([name, tensor]) => [name, tensorToNested(tensor)]),
      );
      return { example: named, serving: { inputs: named }, info: { type: 'ndarray' } };
    }
    case 'json': {
      const value = jsonCell(input.value);
      return { example: value, serving: { inputs: value }, info: { type: 'json_object' } };
    }
  }
}

/**
 * Writes `input_example.json` and MLflow 3's `serving_input_example.json` (the request body that scores the
 * example) into a model directory, and answers the MLmodel's `saved_input_example_info`. With params, the
 * example is `{"inputs": ..., "params": ...}` and the info says `params: 'true'`, as MLflow writes it.
 */
export async function saveInputExample(
  dir: string,
  input: ModelInput,
  params?: PredictParams,
): Promise<Record<string, unknown>> {
  const { example, serving, info } = describeExample(input);
  const hasParams = params !== undefined && Object.keys(params).length > 0;
  const stored = hasParams ? { inputs: example, params } : example;
  const request = hasParams ? { ...serving, params } : serving;
  await writeFile(join(dir, inputExampleFileName), JSON.stringify(stored));
  await writeFile(join(dir, servingInputExampleFileName), JSON.stringify(request, null, 2));
  return {
    artifact_path: inputExampleFileName,
    ...info,
    ...(hasParams ? { params: 'true' } : {}),
    serving_input_path: servingInputExampleFileName,
  };
}
