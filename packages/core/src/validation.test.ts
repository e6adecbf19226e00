import { describe, expect, it } from 'vitest';
import {
  validateArtifactLocation,
  validateDatasetInputs,
  validateEntityKey,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateMetric,
} from './validation.js';

const invalid = expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' });

describe('validateEntityKey', () => {
  it.each(['acc', 'a/b', 'loss val', 'a.b-c_d', 'x:y'])('accepts %s', (key) => {
    expect(validateEntityKey('metric', key)).toBe(key);
  });

  it.each(['', '../x', 'a//b', '/a', 'a/', './a', 'a/./b', 'a$b', 'x'.repeat(251)])('rejects %j', (key) => {
    expect(() => validateEntityKey('param', key)).toThrow(invalid);
  });

  it('names the kind of key and the limit', () => {
    expect(() => validateEntityKey('tag', 'x'.repeat(251))).toThrow(/tag key .*exceeded length limit of 250/);
  });
});

describe('validateMetric', () => {
  it('accepts NaN and infinities', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5]) {
      expect(validateMetric({ key: 'm', value, timestamp: 1, step: 0 }).value).toBe(value);
    }
  });

  it('rejects negative or fractional timestamps and fractional steps', () => {
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: -1, step: 0 })).toThrow(/timestamp/);
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1.5, step: 0 })).toThrow(/timestamp/);
    expect(() => validateMetric({ key: 'm', value: 1, timestamp: 1, step: 0.5 })).toThrow(/step/);
    expect(() =>
      validateMetric({ key: 'm', value: '1' as unknown as number, timestamp: 1, step: 0 }),
    ).toThrow(/value/);
  });
});

describe('validateLogBatch', () => {
  const metric = (i: number) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 });
  it('enforces MLflow’s per-batch caps, naming the limit', () => {
    expect(() =>
      validateLogBatch({ metrics: Array.from({ length: 1001 }, (_, i) => metric(i)), params: [], tags: [] }),
    ).toThrow(/at most 1000 metrics/);
    expect(() =>
      validateLogBatch({
        metrics: [],
        params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '' })),
        tags: [],
      }),
    ).toThrow(/at most 100 params/);
    expect(() =>
      validateLogBatch({
        metrics: [],
        params: [],
        tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '' })),
      }),
    ).toThrow(/at most 100 tags/);
    expect(() =>
      validateLogBatch({
        metrics: Array.from({ length: 950 }, (_, i) => metric(i)),
        params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: '' })),
        tags: [],
      }),
    ).toThrow(/in total/);
  });

  it('truncates long param and tag values as MLflow does by default', () => {
    const batch = validateLogBatch({
      metrics: [],
      params: [{ key: 'p', value: 'x'.repeat(7000) }],
      tags: [{ key: 't', value: 'y'.repeat(9000) }],
    });
    expect(batch.params[0]?.value).toHaveLength(6000);
    expect(batch.tags[0]?.value).toHaveLength(8000);
  });

  it('rejects the same param twice with different values but folds identical duplicates', () => {
    expect(() =>
      validateLogBatch({
        metrics: [],
        params: [
          { key: 'p', value: '1' },
          { key: 'p', value: '2' },
        ],
        tags: [],
      }),
    ).toThrow(/Duplicate parameter keys/);
    expect(
      validateLogBatch({
        metrics: [],
        params: [
          { key: 'p', value: '1' },
          { key: 'p', value: '1' },
        ],
        tags: [],
      }).params,
    ).toEqual([{ key: 'p', value: '1' }]);
  });
});

describe('experiments and datasets', () => {
  it('validates names, tags and artifact locations', () => {
    expect(() => validateExperimentName('')).toThrow(invalid);
    expect(() => validateExperimentName('x'.repeat(501))).toThrow(/500/);
    expect(() => validateExperimentTag({ key: 'k', value: 'v'.repeat(5001) })).toThrow(/5000/);
    for (const location of [
      'runs:/abc/x',
      'http://host#/../../etc/',
      'http://host/;..%2F..%2Fetc',
      's3://b/p?x=1',
    ]) {
      expect(() => validateArtifactLocation(location)).toThrow(invalid);
    }
    expect(validateArtifactLocation('s3://bucket/prefix')).toBe('s3://bucket/prefix');
  });

  it('enforces dataset column limits', () => {
    const dataset = { name: 'd', digest: 'abc', source_type: 'local', source: '{}' };
    expect(validateDatasetInputs([{ tags: [], dataset }])).toHaveLength(1);
    expect(() =>
      validateDatasetInputs([{ tags: [], dataset: { ...dataset, digest: 'x'.repeat(37) } }]),
    ).toThrow(/digest.*36/);
    expect(() => validateDatasetInputs([{ tags: [], dataset: { ...dataset, name: '' } }])).toThrow(
      /name is required/,
    );
  });
});
