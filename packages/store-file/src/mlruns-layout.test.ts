import { describe, expect, it } from 'vitest';
import { formatMetricLine, parseMetricFile } from './mlruns-layout.js';

describe('metric files', () => {
  it('writes values as Python prints them, so MLflow reads them back', () => {
    const line = (value: number) => formatMetricLine({ key: 'm', value, timestamp: 5, step: 2 });
    expect(line(Number.NaN)).toBe('5 nan 2\n');
    expect(line(Number.POSITIVE_INFINITY)).toBe('5 inf 2\n');
    expect(line(Number.NEGATIVE_INFINITY)).toBe('5 -inf 2\n');
    expect(line(0.25)).toBe('5 0.25 2\n');
    expect(line(1e-7)).toBe('5 1e-7 2\n');
  });

  it('reads what MLflow writes: 2, 3 and 5 fields, Python float spellings', () => {
    const text = '1 0.5\n2 nan 1\n3 inf 2\n4 -inf 3\n5 -Infinity 4\n6 1.5 5 train abc123\n';
    expect(parseMetricFile('m', text)).toEqual([
      { key: 'm', timestamp: 1, value: 0.5, step: 0 },
      { key: 'm', timestamp: 2, value: Number.NaN, step: 1 },
      { key: 'm', timestamp: 3, value: Number.POSITIVE_INFINITY, step: 2 },
      { key: 'm', timestamp: 4, value: Number.NEGATIVE_INFINITY, step: 3 },
      { key: 'm', timestamp: 5, value: Number.NEGATIVE_INFINITY, step: 4 },
      { key: 'm', timestamp: 6, value: 1.5, step: 5, dataset_name: 'train', dataset_digest: 'abc123' },
    ]);
  });

  it('keeps the complete lines of a file whose last append was cut short', () => {
    expect(parseMetricFile('m', '1 0.5 0\n2 0.')).toEqual([{ key: 'm', timestamp: 1, value: 0.5, step: 0 }]);
    expect(parseMetricFile('m', '1 0.5 0\n2 0.25 1')).toEqual([
      { key: 'm', timestamp: 1, value: 0.5, step: 0 },
    ]);
    expect(parseMetricFile('m', '1 0.5 0\n2 ')).toEqual([{ key: 'm', timestamp: 1, value: 0.5, step: 0 }]);
  });

  it('writes dataset fields only when MLflow can split them back out', () => {
    const metric = { key: 'm', value: 1, timestamp: 1, step: 0 };
    expect(formatMetricLine({ ...metric, dataset_name: 'train', dataset_digest: 'd1' })).toBe(
      '1 1 0 train d1\n',
    );
    expect(formatMetricLine({ ...metric, dataset_name: 'my data', dataset_digest: 'd1' })).toBe('1 1 0\n');
    expect(formatMetricLine({ ...metric, dataset_name: '', dataset_digest: 'd1' })).toBe('1 1 0\n');
  });
});
