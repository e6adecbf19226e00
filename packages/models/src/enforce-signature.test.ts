import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enforceSignature } from './enforce-signature.js';
import { readMLmodel } from './mlmodel-file.js';
import type { ModelInput } from './model-input.js';
import type { ColSpec, ModelSignature, ParamSpec, TensorSpec } from './signature.js';
import { caught, fixtures } from './test-helpers.js';
import { toModelInput } from './to-model-input.js';

const columns = (...specs: ColSpec[]): ModelSignature => ({ inputs: { kind: 'columns', columns: specs } });
const tensors = (...specs: TensorSpec[]): ModelSignature => ({ inputs: { kind: 'tensors', tensors: specs } });
const col = (name: string | undefined, type: ColSpec['type'], required = true): ColSpec =>
  name === undefined ? { type, required } : { name, type, required };
const enforce = (input: unknown, signature: ModelSignature, params?: Record<string, unknown>) =>
  enforceSignature(toModelInput(input), params, signature, {
    tagged: typeof input === 'object' && input !== null && 'kind' in input,
  });

describe('column-based signatures', () => {
  it('reorders to the schema, drops extra columns and skips absent optional ones', () => {
    const signature = columns(col('a', 'long'), col('b', 'string'), col('c', 'double', false));
    expect(enforce([{ b: 'x', extra: 1, a: 1 }], signature).input).toEqual({
      kind: 'dataframe',
      columns: ['a', 'b'],
      rows: [[1, 'x']],
    });
  });

  it.each([
    ['whole numbers as long', 'long', [1, 2], [1, 2]],
    ['whole numbers as integer', 'integer', [1, -5], [1, -5]],
    ['numbers as double', 'double', [1, 2.5], [1, 2.5]],
    ['numbers as float', 'float', [0.25], [0.25]],
    ['bigints 0 and 1 as double (MLflow allows it)', 'double', [0n, 1n], [0, 1]],
    ['bigints as long', 'long', [5n], [5n]],
    ['booleans with a missing value', 'boolean', [true, null], [true, null]],
    ['strings with a missing value', 'string', ['a', null], ['a', null]],
    ['mixed objects as string (pandas object dtype)', 'string', ['a', 1], ['a', 1]],
    [
      'bytes and base64 strings as binary',
      'binary',
      [new Uint8Array([1]), 'AQ=='],
      [new Uint8Array([1]), 'AQ=='],
    ],
    ['ISO strings as datetime', 'datetime', ['2024-01-02T03:04:05Z'], [new Date('2024-01-02T03:04:05Z')]],
  ] as const)('accepts %s', (_case, type, values, expected) => {
    const result = enforce(
      { kind: 'dataframe', columns: ['x'], rows: values.map((value) => [value]) },
      columns(col('x', type)),
    );
    expect((result.input as unknown as { rows: unknown[][] }).rows.map((row) => row[0])).toEqual(expected);
  });

  it.each([
    ['fractions as long', 'long', [1.5], /column x\. Can not safely convert float64 to int64/u],
    [
      'a missing value in a long column, with the hint',
      'long',
      [1, null],
      /float64 to int64\. Hint: .*missing values/u,
    ],
    [
      'numbers past 32 bits as integer',
      'integer',
      [2 ** 40],
      /int64 to int32\. 1099511627776 is outside 32 bits/u,
    ],
    ['strings as long', 'long', ['1'], /Can not safely convert object to int64/u],
    ['wide bigints as double (only 0/1 widen)', 'double', [5n], /Can not safely convert int64 to float64/u],
    ['strings as double', 'double', ['x'], /convert object to float64/u],
    ['numbers as string', 'string', [1, 2], /convert int64 to object/u],
    ['numbers as boolean', 'boolean', [1], /convert int64 to bool/u],
    ['numbers as binary', 'binary', [1], /convert int64 to object/u],
    ['numbers as datetime', 'datetime', [1], /Failed to convert column x from type int64 to datetime/u],
    ['a bad date string', 'datetime', ['not a date'], /Failed to convert column x/u],
  ] as const)(
    'refuses %s with INVALID_PARAMETER_VALUE naming the column',
    async (_case, type, values, message) => {
      const error = await caught(() =>
        enforce(
          { kind: 'dataframe', columns: ['x'], rows: values.map((value) => [value]) },
          columns(col('x', type)),
        ),
      );
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(message);
      expect(error.details).toMatchObject({ field: 'x', expected: type });
    },
  );

  it('names missing required columns, their types and the extra ones', async () => {
    const error = await caught(() =>
      enforce([{ a: 1, z: 2 }], columns(col('a', 'long'), col('b', 'string'), col('c', 'double'))),
    );
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toBe(
      'Model is missing inputs ["b","c"]: the signature requires b (string), c (double). Note that there were extra inputs: ["z"].',
    );
    expect(error.details).toMatchObject({ missing: ['b', 'c'], extra: ['z'] });
  });

  it('checks unnamed columns by position and count', async () => {
    const signature = columns(col(undefined, 'string'));
    expect(enforce(['a', 'b'], signature).input).toEqual({
      kind: 'dataframe',
      columns: ['0'],
      rows: [['a'], ['b']],
    });
    expect(enforce('one', signature).input).toEqual({ kind: 'dataframe', columns: ['0'], rows: [['one']] });
    const two = columns(col(undefined, 'long'), col(undefined, 'long'));
    expect((await caught(() => enforce([1, 2], two))).message).toMatch(
      /declares 2 inputs but the provided value only has 1/u,
    );
    expect((await caught(() => enforce([1, 2], signature))).message).toMatch(/convert int64 to object/u);
  });

  it('turns a dict of scalars into one row and a dict of lists into columns', () => {
    const signature = columns(col('question', 'string'), col('n', 'long'));
    expect(enforce({ kind: 'json', value: { question: 'why', n: 3 } }, signature).input).toEqual({
      kind: 'dataframe',
      columns: ['question', 'n'],
      rows: [['why', 3]],
    });
    expect(enforce({ question: ['a', 'b'], n: [1, 2] }, signature).input).toEqual({
      kind: 'dataframe',
      columns: ['question', 'n'],
      rows: [
        ['a', 1],
        ['b', 2],
      ],
    });
  });

  it('checks array, object and map cells', async () => {
    const signature = columns(
      col('values', { type: 'array', items: { type: 'double' } }),
      col('obj', {
        type: 'object',
        properties: { a: { type: 'long', required: true }, b: { type: 'string', required: false } },
      }),
      col('m', { type: 'map', values: { type: 'long' } }, false),
    );
    const ok = enforce([{ values: [1, 2.5], obj: { a: 1 }, m: { k: 1 } }], signature);
    expect((ok.input as unknown as { rows: unknown[][] }).rows[0]).toEqual([[1, 2.5], { a: 1 }, { k: 1 }]);
    const cases: [unknown, RegExp][] = [
      [{ values: 'x', obj: { a: 1 } }, /column values: expected a list, got string/u],
      [{ values: ['x'], obj: { a: 1 } }, /column values: value "x" is not double/u],
      [{ values: [1], obj: { b: 'x' } }, /column obj: missing required properties a/u],
      [{ values: [1], obj: { a: 1, c: 2 } }, /column obj: properties not defined in the schema: c/u],
      [{ values: [1], obj: { a: 1.5 } }, /column obj\.a: value 1.5 is not long/u],
      [{ values: [1], obj: [1] }, /column obj: expected an object, got a list/u],
      [{ values: [1], obj: { a: 1 }, m: { k: 'x' } }, /column m\.k: value "x" is not long/u],
    ];
    for (const [record, message] of cases) {
      const error = await caught(() => enforce([record], signature));
      expect(error.code).toBe('INVALID_PARAMETER_VALUE');
      expect(error.message).toMatch(message);
    }
  });

  it("enforces MLflow 3.18's own signature (the pyfunc fixture)", async () => {
    const { signature } = await readMLmodel(join(fixtures, 'mlflow-3.18/pyfunc-columns-params'));
    const row = { id: 1, score: 2, ok: true, at: '2024-01-01', blob: 'AA==', values: [1.5], obj: { a: 1 } };
    const result = enforce([row], signature as ModelSignature, { max_tokens: 5 });
    expect((result.input as unknown as { columns: string[] }).columns).toEqual([
      'id',
      'score',
      'ok',
      'at',
      'blob',
      'values',
      'obj',
    ]);
    expect(result.params).toEqual({ temperature: 0.5, max_tokens: 5, stop: ['\n'], flag: false });
    const error = await caught(() => enforce([{ ...row, id: 'one' }], signature as ModelSignature));
    expect(error.message).toMatch(/column id/u);
  });
});

describe('tensor-based signatures', () => {
  it('casts plain numbers to the spec dtype and checks the shape', () => {
    const result = enforce(
      [
        [1, 2],
        [3, 4],
      ],
      tensors({ dtype: 'float32', shape: [-1, 2] }),
    );
    expect(result.input).toEqual({
      kind: 'tensor',
      dtype: 'float32',
      shape: [2, 2],
      data: new Float32Array([1, 2, 3, 4]),
    });
    const ints = enforce([1, 2], tensors({ dtype: 'int64', shape: [-1] }));
    expect((ints.input as { data: unknown }).data).toEqual(new BigInt64Array([1n, 2n]));
  });

  it.each([
    [
      'a wrong rank',
      [[1, 2]],
      { dtype: 'float64', shape: [-1] },
      /Shape of input \(1, 2\) does not match expected shape \(-1,\)/u,
    ],
    [
      'a wrong fixed size',
      [[1, 2, 3]],
      { dtype: 'float64', shape: [-1, 2] },
      /Shape of input \(1, 3\) does not match expected shape \(-1, 2\)/u,
    ],
    [
      'a fraction for an int dtype',
      [1.5],
      { dtype: 'int32', shape: [-1] },
      /value 1.5 to the expected dtype int32/u,
    ],
    [
      'a value outside uint8',
      [300],
      { dtype: 'uint8', shape: [-1] },
      /value 300 to the expected dtype uint8/u,
    ],
    ['a number for bool', [1], { dtype: 'bool', shape: [-1] }, /value 1 to the expected dtype bool/u],
    ['a string for a tensor', 'text', { dtype: 'float64', shape: [-1] }, /takes a tensor/u],
  ] as const)('refuses %s', async (_case, input, spec, message) => {
    const error = await caught(() => enforce(input, tensors(spec as TensorSpec)));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(message);
  });

  it('requires a stated dtype to match exactly, as numpy does', async () => {
    const error = await caught(() =>
      enforce(new Float32Array([1]), tensors({ dtype: 'float64', shape: [-1] })),
    );
    expect(error.message).toBe('dtype of input float32 does not match expected dtype float64');
    const tagged: ModelInput = { kind: 'tensor', dtype: 'int32', shape: [1], data: [1] };
    expect((await caught(() => enforce(tagged, tensors({ dtype: 'int64', shape: [-1] })))).message).toMatch(
      /int32 does not match expected dtype int64/u,
    );
    expect(enforce(new Float64Array([1]), tensors({ dtype: 'float64', shape: [-1] })).input).toMatchObject({
      dtype: 'float64',
    });
  });

  it('passes anything to an object (-1) spec', () => {
    const input = { kind: 'tensor', dtype: 'str', shape: [2], data: ['a', 'b'] } as const;
    expect(enforce(input, tensors({ dtype: 'object', shape: [-1] })).input).toBe(input);
  });

  it('takes named tensors, naming a missing one, and DataFrame columns of lists', async () => {
    const signature = tensors(
      { name: 'ids', dtype: 'int64', shape: [-1, 2] },
      { name: 'mask', dtype: 'float32', shape: [-1] },
    );
    const ok = enforce({ kind: 'json', value: { ids: [[1, 2]], mask: [1] } }, signature);
    expect(ok.input).toMatchObject({
      kind: 'tensors',
      tensors: { ids: { shape: [1, 2] }, mask: { dtype: 'float32' } },
    });
    const error = await caught(() => enforce({ kind: 'json', value: { ids: [[1, 2]] } }, signature));
    expect(error.message).toBe('Model is missing inputs ["mask"].');
    const frame = enforce({ kind: 'dataframe', columns: ['ids', 'mask'], rows: [[[1, 2], 1]] }, signature);
    expect(frame.input).toMatchObject({
      kind: 'tensors',
      tensors: { ids: { shape: [1, 2] }, mask: { shape: [1] } },
    });
    expect((await caught(() => enforce('x', signature))).message).toMatch(/takes named tensors/u);
  });

  it('reads a multi-column DataFrame as one (-1, n) tensor and refuses other shapes', async () => {
    const frame = { kind: 'dataframe', columns: ['a', 'b'], rows: [[1, 2]] } as const;
    expect(enforce(frame, tensors({ dtype: 'float64', shape: [-1, 2] })).input).toMatchObject({
      shape: [1, 2],
    });
    expect(
      (await caught(() => enforce(frame, tensors({ dtype: 'float64', shape: [-1, 3] })))).message,
    ).toMatch(/needs the shape \(-1, 2\)/u);
    const empty = { kind: 'dataframe', columns: ['a'], rows: [] } as const;
    expect((await caught(() => enforce(empty, tensors({ dtype: 'float64', shape: [-1] })))).message).toBe(
      'Input DataFrame is empty.',
    );
  });
});

describe('params', () => {
  const specs: ParamSpec[] = [
    { name: 'temperature', type: 'double', default: 0.5, shape: null },
    { name: 'n', type: 'long', default: 1, shape: null },
    { name: 'small', type: 'integer', default: 1, shape: null },
    { name: 'stop', type: 'string', default: null, shape: [-1] },
    { name: 'when', type: 'datetime', default: null, shape: null },
    { name: 'flag', type: 'boolean', default: false, shape: null },
  ];
  const signature: ModelSignature = { params: specs };

  it('fills defaults, drops unknown params, widens numbers and parses dates', () => {
    expect(
      enforceSignature(
        toModelInput('x'),
        { temperature: 1, unknown: 3, when: '2024-01-01T00:00:00Z' },
        signature,
      ).params,
    ).toEqual({
      temperature: 1,
      n: 1,
      small: 1,
      stop: null,
      when: new Date('2024-01-01T00:00:00Z'),
      flag: false,
    });
  });

  it('names every invalid param and its type in one error', async () => {
    const error = await caught(() =>
      enforceSignature(
        toModelInput('x'),
        { temperature: 'hot', n: 1.5, small: 2 ** 40, stop: 'x', flag: 'yes', when: 'never' },
        signature,
      ),
    );
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    for (const part of [
      'temperature (expected double)',
      'n (expected long)',
      'small (expected integer)',
      'stop (expected string list): Value must be a 1D array',
      'flag (expected boolean)',
      'when (expected datetime)',
    ]) {
      expect(error.message).toContain(part);
    }
  });

  it('refuses params that are not an object, and ignores params when the signature has no params', async () => {
    expect(
      (await caught(() => enforceSignature(toModelInput('x'), [1] as never, signature))).message,
    ).toMatch(/Parameters must be an object/u);
    expect(enforceSignature(toModelInput('x'), { a: 1 }, columns(col(undefined, 'string'))).params).toEqual(
      {},
    );
    expect(enforceSignature(toModelInput('x'), { a: 1 }, undefined).params).toEqual({ a: 1 });
  });
});
