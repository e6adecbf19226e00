import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { tokenizeSearch } from './search-tokenizer.js';

function kinds(input: string): string[] {
  return tokenizeSearch(input, 'filter').map((token) => `${token.kind}:${token.text}`);
}

function errorOf(run: () => unknown): CairnError {
  try {
    run();
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

describe('tokenizeSearch', () => {
  it('splits a clause into identifier, operator and number, ending with an end token', () => {
    expect(kinds('metrics.acc >= 0.9')).toEqual([
      'identifier:metrics.acc',
      'operator:>=',
      'number:0.9',
      'end:',
    ]);
  });

  it('records zero-based positions', () => {
    const tokens = tokenizeSearch("  params.lr = '0.1'", 'filter');
    expect(tokens.map((token) => token.position)).toEqual([2, 12, 14, 19]);
  });

  it('lexes every symbol operator, preferring the longest', () => {
    expect(kinds('a = b != c < d <= e > f >= g <> h').filter((kind) => kind.startsWith('operator'))).toEqual([
      'operator:=',
      'operator:!=',
      'operator:<',
      'operator:<=',
      'operator:>',
      'operator:>=',
      'operator:<>',
    ]);
  });

  it('operators need no surrounding spaces', () => {
    expect(kinds("tags.a='x'")).toEqual(['identifier:tags.a', 'operator:=', "string:'x'", 'end:']);
  });

  it('keeps dotted keys after the prefix whole', () => {
    const [token] = tokenizeSearch('metrics.a.b.c > 1', 'filter');
    expect(token).toMatchObject({ kind: 'identifier', prefix: 'metrics', key: 'a.b.c' });
  });

  it('accepts - / : inside unquoted keys after a prefix', () => {
    const [token] = tokenizeSearch('metrics.train/loss-avg:1 > 1', 'filter');
    expect(token).toMatchObject({ prefix: 'metrics', key: 'train/loss-avg:1' });
  });

  it('reads backtick and double-quoted keys after a prefix', () => {
    const tokens = tokenizeSearch('tags.`mlflow.runName` = \'x\' AND metrics."my metric" > 1', 'filter');
    expect(tokens[0]).toMatchObject({ kind: 'identifier', prefix: 'tags', key: 'mlflow.runName' });
    expect(tokens[4]).toMatchObject({ kind: 'identifier', prefix: 'metrics', key: 'my metric' });
  });

  it('reads a backtick-quoted key without prefix and a backtick-quoted prefix', () => {
    expect(tokenizeSearch('`run name`', 'filter')[0]).toMatchObject({ prefix: undefined, key: 'run name' });
    expect(tokenizeSearch('`metrics`.acc', 'filter')[0]).toMatchObject({ prefix: 'metrics', key: 'acc' });
  });

  it('reads single and double-quoted strings, doubling the quote to escape it', () => {
    const tokens = tokenizeSearch(`'it''s' "say ""hi"""`, 'filter');
    expect(tokens[0]).toMatchObject({ kind: 'string', value: "it's", quote: "'" });
    expect(tokens[1]).toMatchObject({ kind: 'string', value: 'say "hi"', quote: '"' });
  });

  it('keeps backslashes literally', () => {
    expect(tokenizeSearch("'C:\\data'", 'filter')[0]).toMatchObject({ value: 'C:\\data' });
  });

  it.each([
    ['42', 42],
    ['-3', -3],
    ['+7', 7],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['-.25', -0.25],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['-1e+2', -100],
  ])('reads the number %s', (text, value) => {
    expect(tokenizeSearch(text, 'filter')[0]).toMatchObject({ kind: 'number', value });
  });

  it('lexes parentheses and commas', () => {
    expect(kinds("('a','b')")).toEqual([
      'punctuation:(',
      "string:'a'",
      'punctuation:,',
      "string:'b'",
      'punctuation:)',
      'end:',
    ]);
  });

  it('fails on an unterminated string at its opening quote', () => {
    const error = errorOf(() => tokenizeSearch("tags.a = 'abc", 'filter'));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.details).toEqual({ position: 9, token: "'abc" });
    expect(error.message).toContain('position 9');
  });

  it('fails on an unexpected character', () => {
    const error = errorOf(() => tokenizeSearch('metrics.a > 1 ; drop', 'filter'));
    expect(error.details).toEqual({ position: 14, token: ';' });
    expect(error.message).toContain("';'");
  });

  it('fails on a lone !', () => {
    expect(errorOf(() => tokenizeSearch('a ! b', 'filter')).details).toEqual({ position: 2, token: '!' });
  });

  it('fails on a prefix without a key', () => {
    const error = errorOf(() => tokenizeSearch('x = 1 AND metrics. > 1', 'filter'));
    expect(error.details).toEqual({ position: 10, token: 'metrics.' });
  });

  it('fails on an empty quoted key', () => {
    expect(errorOf(() => tokenizeSearch('tags.`` = 1', 'filter')).details).toMatchObject({ position: 5 });
  });

  it('fails on a malformed number', () => {
    expect(errorOf(() => tokenizeSearch('metrics.a > 12abc', 'filter')).details).toEqual({
      position: 12,
      token: '12abc',
    });
  });

  it('names the grammar in the message', () => {
    expect(errorOf(() => tokenizeSearch('a;', 'order_by')).message).toMatch(
      /^Invalid order_by at position 1/,
    );
  });
});
