import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { parseOrderBy } from './order-by.js';
import type { SearchTarget } from './search-ast.js';

function failure(clause: string, target: SearchTarget = 'runs'): CairnError {
  try {
    parseOrderBy([clause], target);
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${clause} to fail`);
}

describe('parseOrderBy', () => {
  it('returns no clauses when order_by is absent or empty', () => {
    expect(parseOrderBy(undefined, 'runs')).toEqual([]);
    expect(parseOrderBy([], 'runs')).toEqual([]);
  });

  it('defaults to ascending and reads ASC / DESC in any case', () => {
    expect(parseOrderBy(['metrics.acc', 'params.lr desc', 'tags.t Asc', 'start_time DESC'], 'runs')).toEqual([
      { entity: 'metric', key: 'acc', ascending: true },
      { entity: 'param', key: 'lr', ascending: false },
      { entity: 'tag', key: 't', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: false },
    ]);
  });

  it('accepts quoted keys and MLflow aliases', () => {
    expect(
      parseOrderBy(
        ['metrics.`my metric` DESC', '`Run name`', 'created', 'attributes."run name" DESC'],
        'runs',
      ),
    ).toEqual([
      { entity: 'metric', key: 'my metric', ascending: false },
      { entity: 'attribute', key: 'run_name', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'attribute', key: 'run_name', ascending: false },
    ]);
  });

  it('accepts the experiment keys, including experiment_id', () => {
    expect(
      parseOrderBy(
        ['name', 'experiment_id DESC', 'creation_time', 'attribute.last_update_time'],
        'experiments',
      ),
    ).toEqual([
      { entity: 'attribute', key: 'name', ascending: true },
      { entity: 'attribute', key: 'experiment_id', ascending: false },
      { entity: 'attribute', key: 'creation_time', ascending: true },
      { entity: 'attribute', key: 'last_update_time', ascending: true },
    ]);
  });

  it.each([
    ['metrics.acc UP', 12, 'UP', /expected ASC or DESC/],
    ['metrics.acc DESC extra', 17, 'extra', /unexpected text after the direction/],
    ['metrics.acc 1', 12, '1', /expected ASC or DESC/],
    ['unknown_attr', 0, 'unknown_attr', /unknown attribute 'unknown_attr'/],
    ['foo.bar', 0, 'foo.bar', /unknown entity type 'foo'/],
    ['datasets.name', 0, 'datasets.name', /cannot be ordered by dataset/],
    ['', 0, '', /expected an identifier/],
    ["'start_time'", 0, "'start_time'", /expected an identifier/],
    ['metrics.acc;', 11, ';', /unexpected character/],
  ])('%s fails at %i', (clause, position, token, reason) => {
    const error = failure(clause);
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.details).toEqual({ position, token });
    expect(error.message).toMatch(/^Invalid order_by at position/);
    expect(error.message).toMatch(reason);
  });

  it.each([
    ['tags.owner', /experiments can only be ordered by/],
    ['metrics.acc', /metrics cannot be used when searching experiments/],
    ['start_time', /unknown attribute 'start_time'/],
  ])('experiments: %s fails', (clause, reason) => {
    expect(failure(clause, 'experiments').message).toMatch(reason);
  });

  it('rejects experiment_id for runs, as MLflow does', () => {
    expect(failure('experiment_id').message).toMatch(/unknown attribute 'experiment_id'/);
  });
});
