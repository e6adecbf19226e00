// A models-from-code fixture: reads a factor from an artifact at load and imports a helper from a code path.
import { readFile } from 'node:fs/promises';
import { scale } from './helpers.mjs';

let factor = 0;

export const model = {
  async loadContext(context) {
    factor = Number(await readFile(context.artifacts.factor, 'utf8')) + (context.modelConfig.offset ?? 0);
  },
  predict(input) {
    return input.rows.map((row) => scale(row[0], factor));
  },
};

export default function predict(input, params) {
  return { kind: 'json', value: { input: input.value, params } };
}
