import { describe, expect, it } from 'vitest';
import { caught } from './test-helpers.js';
import { dataFrameToRecords, tensorToNested, toModelInput } from './to-model-input.js';

describe('toModelInput', () => {
  it.each([
    [
      'records',
      [{ a: 1 }, { b: 2, a: 3 }],
      {
        kind: 'dataframe',
        columns: ['a', 'b'],
        rows: [
          [1, null],
          [3, 2],
        ],
      },
    ],
    [
      'an object of columns',
      { a: [1, 2], b: ['x', 'y'] },
      {
        kind: 'dataframe',
        columns: ['a', 'b'],
        rows: [
          [1, 'x'],
          [2, 'y'],
        ],
      },
    ],
    [
      'whole nested numbers',
      [
        [1, 2],
        [3, 4],
      ],
      { kind: 'tensor', dtype: 'int64', shape: [2, 2], data: [1, 2, 3, 4] },
    ],
    ['fractional numbers', [0.5, 1], { kind: 'tensor', dtype: 'float64', shape: [2], data: [0.5, 1] }],
    ['booleans', [true, false], { kind: 'tensor', dtype: 'bool', shape: [2], data: [true, false] }],
    ['ragged lists', [[1], [2, 3]], { kind: 'json', value: [[1], [2, 3]] }],
    ['a list of strings', ['a', 'b'], { kind: 'json', value: ['a', 'b'] }],
    ['a string', 'hi', { kind: 'json', value: 'hi' }],
    [
      'a chat request',
      { messages: [{ role: 'user', content: 'hi' }] },
      { kind: 'json', value: { messages: [{ role: 'user', content: 'hi' }] } },
    ],
    ['columns of unequal length', { a: [1], b: [1, 2] }, { kind: 'json', value: { a: [1], b: [1, 2] } }],
  ])('turns %s into the right input', (_case, value, expected) => {
    expect(toModelInput(value)).toEqual(expected);
  });

  it('keeps typed arrays as tensors of their dtype and objects of them as named tensors', () => {
    const data = new Int32Array([1, 2]);
    expect(toModelInput(data)).toEqual({ kind: 'tensor', dtype: 'int32', shape: [2], data });
    expect(toModelInput({ x: new Float32Array([1]), y: new BigInt64Array([1n]) })).toMatchObject({
      kind: 'tensors',
      tensors: { x: { dtype: 'float32' }, y: { dtype: 'int64' } },
    });
  });

  it('takes a tagged input as it is and refuses undefined', async () => {
    const tagged = { kind: 'json', value: [1, 2] } as const;
    expect(toModelInput(tagged)).toBe(tagged);
    expect((await caught(() => toModelInput(undefined))).code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('turns tensors back into nested lists and tables into records', () => {
    expect(
      tensorToNested({
        kind: 'tensor',
        dtype: 'int64',
        shape: [2, 2],
        data: new BigInt64Array([1n, 2n, 3n, 4n]),
      }),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(dataFrameToRecords({ kind: 'dataframe', columns: ['a'], rows: [[1], [2]] })).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });
});
