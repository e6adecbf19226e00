import { describe, expect, it } from 'vitest';
import { parsePythonJson, pythonFloatRepr, pythonJsonDumps, pythonValueOf } from './python-json.js';

describe('pythonFloatRepr', () => {
  it("prints floats as Python's repr does", () => {
    const cases: Array<[number, string]> = [
      [9, '9.0'],
      [0.5, '0.5'],
      [-2.25, '-2.25'],
      [0, '0.0'],
      [-0, '-0.0'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.5e300, '1.5e+300'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.25e-7, '1.25e-07'],
      [0.1 + 0.2, '0.30000000000000004'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ];
    for (const [value, text] of cases) expect(pythonFloatRepr(value), String(value)).toBe(text);
  });
});

describe('parsePythonJson', () => {
  it('keeps how each number was written: 9.0 and 1e3 are floats, 9 and big integers ints', () => {
    const value = parsePythonJson('{"a": 9.0, "b": 9, "c": 1e3, "d": 123456789012345678901234567890}');
    expect(value).toEqual({
      type: 'dict',
      entries: new Map<string, unknown>([
        ['a', { type: 'float', value: 9 }],
        ['b', { type: 'int', text: '9' }],
        ['c', { type: 'float', value: 1000 }],
        ['d', { type: 'int', text: '123456789012345678901234567890' }],
      ]),
    });
    expect(pythonJsonDumps(value as NonNullable<typeof value>, { compact: true })).toBe(
      '{"a":9.0,"b":9,"c":1000.0,"d":123456789012345678901234567890}',
    );
  });

  it('reads strings with escapes, nested lists, literals, and keeps the last of a repeated key', () => {
    const value = parsePythonJson(' [ "a\\"b\\u00e9", [true, false, null], {"k": 1, "k": 2} ] ');
    expect(value && pythonJsonDumps(value)).toBe('["a\\"b\\u00e9", [true, false, null], {"k": 2}]');
  });

  it('answers undefined for text that is not JSON', () => {
    for (const text of ['', '{', '[1,]', '{"a" 1}', '"open', '01', 'nul', '1 2']) {
      expect(parsePythonJson(text), text).toBeUndefined();
    }
  });
});

describe('pythonJsonDumps', () => {
  it("writes json.dumps's default spacing, or the compact sorted form MLflow quotes request values in", () => {
    const entries = pythonValueOf([{ name: 'model', version: 1 }]);
    expect(pythonJsonDumps(entries)).toBe('[{"name": "model", "version": 1}]');
    const value = pythonValueOf({ z: [1, 2.5], a: 'x' });
    expect(pythonJsonDumps(value, { compact: true, sortKeys: true })).toBe('{"a":"x","z":[1,2.5]}');
  });

  it('escapes every character outside printable ASCII, astral ones as surrogate pairs (ensure_ascii)', () => {
    expect(pythonJsonDumps(pythonValueOf('é\u007f\n😀'))).toBe('"\\u00e9\\u007f\\n\\ud83d\\ude00"');
  });
});
