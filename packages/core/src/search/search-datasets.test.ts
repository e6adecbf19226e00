import { describe, expect, it } from 'vitest';
import type { DatasetInput } from '../entities/tracking.js';
import { CairnError } from '../errors.js';
import { summariseDatasetInputs, validateSearchDatasetsInput } from './search-datasets.js';

const input = (name: string, digest: string, tags: DatasetInput['tags'] = []): DatasetInput => ({
  tags,
  dataset: { name, digest, source_type: 'local', source: '{}' },
});

describe('validateSearchDatasetsInput', () => {
  it('returns the ids without repeats', () => {
    expect(validateSearchDatasetsInput({ experimentIds: ['1', '2', '1'] })).toEqual(['1', '2']);
  });

  it('refuses no ids and more than 20, naming the field and the limit', () => {
    expect(() => validateSearchDatasetsInput({ experimentIds: [] })).toThrow(
      'SearchDatasets request must specify at least one experiment_id.',
    );
    const tooMany = Array.from({ length: 21 }, (_, index) => String(index));
    let caught: unknown;
    try {
      validateSearchDatasetsInput({ experimentIds: tooMany });
    } catch (error) {
      caught = error;
    }
    expect(CairnError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message:
        'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
      details: { field: 'experiment_ids', limit: 20 },
    });
  });
});

describe('summariseDatasetInputs', () => {
  it('takes the context from the mlflow.data.context tag and ignores other tags', () => {
    const summaries = summariseDatasetInputs([
      {
        experimentId: '1',
        datasetInputs: [
          input('a', 'x', [
            { key: 'owner', value: 'me' },
            { key: 'mlflow.data.context', value: 'training' },
          ]),
          input('b', 'y', [{ key: 'owner', value: 'me' }]),
        ],
      },
    ]);
    expect(summaries).toEqual([
      { experiment_id: '1', name: 'a', digest: 'x', context: 'training' },
      { experiment_id: '1', name: 'b', digest: 'y' },
    ]);
  });

  it('keeps one summary per experiment, name, digest and context', () => {
    const shared = input('a', 'x');
    const summaries = summariseDatasetInputs([
      { experimentId: '1', datasetInputs: [shared] },
      {
        experimentId: '1',
        datasetInputs: [shared, input('a', 'x', [{ key: 'mlflow.data.context', value: 'eval' }])],
      },
      { experimentId: '2', datasetInputs: [shared] },
    ]);
    expect(summaries).toHaveLength(3);
  });

  it('stops at 1000 summaries, as MLflow does', () => {
    const many = Array.from({ length: 1500 }, (_, index) => input(`d${index}`, 'x'));
    expect(summariseDatasetInputs([{ experimentId: '1', datasetInputs: many }])).toHaveLength(1000);
  });
});
