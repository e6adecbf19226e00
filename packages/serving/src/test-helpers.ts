import { CairnError } from '@cairn/core';
import type { DataFrame, LoadedModel, MLmodel, ModelOutput, PredictParams } from '@cairn/models';

/** What a test model saw and how it behaves. */
export interface TestModelOptions {
  readonly uri?: string;
  /** Added to every prediction, so a test tells which model answered. */
  readonly offset?: number;
  /** Resolves each predict only when this promise does (to hold requests in flight). */
  readonly gate?: () => Promise<void>;
}

/** A test model that was closed, and when. */
export interface TestModel extends LoadedModel {
  readonly closed: boolean;
  readonly calls: number;
  /** Predictions still running. */
  readonly running: number;
}

/**
 * A small real LoadedModel: takes a table with a numeric column `x` (or a list of numbers) and answers
 * `x * 2 + offset`; refuses a table without `x` as the signature would (INVALID_PARAMETER_VALUE); throws a
 * plain Error (the model's fault) when `x` is the string "boom"; `params.scale` multiplies the answer.
 */
export function createTestModel(options: TestModelOptions = {}): TestModel {
  const offset = options.offset ?? 0;
  let closed = false;
  let calls = 0;
  let running = 0;
  const mlmodel: MLmodel = { flavors: { js_function: {} } };
  return {
    uri: options.uri ?? 'test:/double',
    mlmodel,
    flavor: 'js_function',
    get closed() {
      return closed;
    },
    get calls() {
      return calls;
    },
    get running() {
      return running;
    },
    async predict(input: unknown, params?: PredictParams): Promise<ModelOutput> {
      if (closed) throw new Error('predict after close');
      calls += 1;
      running += 1;
      try {
        if (options.gate) await options.gate();
        const scale = typeof params?.scale === 'number' ? params.scale : 1;
        const xs = readXs(input);
        if (xs.includes('boom')) throw new Error('the model blew up');
        return {
          kind: 'dataframe',
          columns: ['y'],
          rows: xs.map((x) => [(Number(x) * 2 + offset) * scale]),
        } satisfies DataFrame;
      } finally {
        running -= 1;
      }
    },
    async close() {
      closed = true;
    },
  };
}

function readXs(input: unknown): unknown[] {
  if (Array.isArray(input)) return input.map((item) => (Array.isArray(item) ? item[0] : item));
  const frame = input as DataFrame;
  if (frame?.kind === 'dataframe') {
    const column = frame.columns.indexOf('x');
    if (column === -1) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Failed to enforce schema of data '${JSON.stringify(frame.columns)}' with schema '['x': double (required)]'. Error: Model is missing inputs ['x'].`,
      );
    }
    return frame.rows.map((row) => row[column]);
  }
  if (input !== null && typeof input === 'object' && Array.isArray((input as { x?: unknown }).x)) {
    return (input as { x: unknown[] }).x;
  }
  throw new CairnError('INVALID_PARAMETER_VALUE', `Expected a table with a column 'x', got ${typeof input}`);
}
