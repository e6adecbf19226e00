import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { parseLoggedModelFilter, resolveLoggedModelOrder } from './logged-model-search.js';
import { validateLoggedModelName } from './logged-model-validation.js';

const codeOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    return CairnError.isInstance(error) ? error.code : 'not a CairnError';
  }
  return 'no error';
};

describe('parseLoggedModelFilter', () => {
  it('reads attributes with MLflow aliases, metrics, params and tags', () => {
    const { clauses } = parseLoggedModelFilter(
      "name = 'm' AND creation_time > 5 AND metrics.acc >= 0.5 AND params.lr IN ('0.1', '0.2') AND tags.`a.b` != 'x'",
    );
    expect(clauses.map((clause) => [clause.entity, clause.key, clause.comparator, clause.value])).toEqual([
      ['attribute', 'name', '=', 'm'],
      ['attribute', 'creation_timestamp', '>', 5],
      ['metric', 'acc', '>=', 0.5],
      ['param', 'lr', 'IN', ['0.1', '0.2']],
      ['tag', 'a.b', '!=', 'x'],
    ]);
  });

  it('turns status names into the stored proto names and refuses unknown ones or LIKE', () => {
    const [clause] = parseLoggedModelFilter("status IN ('READY', 'FAILED')").clauses;
    expect(clause?.value).toEqual(['LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']);
    expect(codeOf(() => parseLoggedModelFilter("status = 'DONE'"))).toBe('INVALID_PARAMETER_VALUE');
    expect(codeOf(() => parseLoggedModelFilter("status LIKE 'R%'"))).toBe('INVALID_PARAMETER_VALUE');
    expect(codeOf(() => parseLoggedModelFilter("run_name = 'x'"))).toBe('INVALID_PARAMETER_VALUE');
    expect(codeOf(() => parseLoggedModelFilter("datasets.name = 'x'"))).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('resolveLoggedModelOrder', () => {
  it('appends creation_timestamp DESC and model_id ASC unless given, and scopes metric clauses', () => {
    expect(resolveLoggedModelOrder(undefined, undefined)).toEqual([
      { entity: 'attribute', key: 'creation_timestamp', ascending: false },
      { entity: 'attribute', key: 'model_id', ascending: true },
    ]);
    expect(
      resolveLoggedModelOrder(
        [{ fieldName: 'metrics.acc', ascending: false, datasetName: 'eval' }, { fieldName: 'creation_time' }],
        [{ datasetName: 'train', datasetDigest: 'd' }],
      ),
    ).toEqual([
      {
        entity: 'metric',
        key: 'acc',
        ascending: false,
        datasets: [{ datasetName: 'train', datasetDigest: 'd' }, { datasetName: 'eval' }],
      },
      { entity: 'attribute', key: 'creation_timestamp', ascending: true },
      { entity: 'attribute', key: 'model_id', ascending: true },
    ]);
  });

  it('refuses params, tags and unknown attributes, as MLflow does', () => {
    for (const fieldName of ['params.lr', 'tags.x', 'bogus']) {
      expect(codeOf(() => resolveLoggedModelOrder([{ fieldName }], undefined))).toBe(
        'INVALID_PARAMETER_VALUE',
      );
    }
  });
});

describe('validateLoggedModelName', () => {
  it('refuses / : . % " \' and empty names, and names past 500 characters', () => {
    expect(validateLoggedModelName(undefined)).toBeUndefined();
    expect(validateLoggedModelName('my-model_1')).toBe('my-model_1');
    for (const name of ['', 'a/b', 'a:b', 'a.b', 'a%b', 'a"b', "a'b", 'x'.repeat(501)]) {
      expect(codeOf(() => validateLoggedModelName(name))).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});
