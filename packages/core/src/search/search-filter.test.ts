import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import type { SearchTarget } from './search-ast.js';
import { parseSearchFilter } from './search-filter.js';

function failure(filter: string, target: SearchTarget = 'runs'): CairnError {
  try {
    parseSearchFilter(filter, target);
  } catch (error) {
    if (CairnError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${filter} to fail`);
}

function only(filter: string, target: SearchTarget = 'runs') {
  const { clauses } = parseSearchFilter(filter, target);
  expect(clauses).toHaveLength(1);
  return clauses[0];
}

describe('parseSearchFilter: clauses', () => {
  it('returns no clauses for an absent, empty or blank filter', () => {
    expect(parseSearchFilter(undefined, 'runs')).toEqual({ clauses: [] });
    expect(parseSearchFilter('', 'runs')).toEqual({ clauses: [] });
    expect(parseSearchFilter('   ', 'runs')).toEqual({ clauses: [] });
  });

  it('parses a metric comparison with its position', () => {
    expect(only('metrics.acc > 0.9')).toEqual({
      entity: 'metric',
      key: 'acc',
      comparator: '>',
      value: 0.9,
      position: 0,
    });
  });

  it.each(['=', '!=', '<', '<=', '>', '>='])('parses the metric comparator %s', (operator) => {
    expect(only(`metrics.loss ${operator} -1.5e-3`)).toMatchObject({ comparator: operator, value: -0.0015 });
  });

  it('joins clauses with AND in any letter case and records each position', () => {
    const { clauses } = parseSearchFilter("metrics.a > 1 and params.b = 'x' AnD tags.c != 'y'", 'runs');
    expect(clauses.map((clause) => [clause.entity, clause.key, clause.position])).toEqual([
      ['metric', 'a', 0],
      ['param', 'b', 18],
      ['tag', 'c', 37],
    ]);
  });

  it.each([
    ['metric.a > 1', 'metric'],
    ['metrics.a > 1', 'metric'],
    ["param.a = 'x'", 'param'],
    ["params.a = 'x'", 'param'],
    ["parameter.a = 'x'", 'param'],
    ["parameters.a = 'x'", 'param'],
    ["tag.a = 'x'", 'tag'],
    ["tags.a = 'x'", 'tag'],
    ["attribute.run_id = 'x'", 'attribute'],
    ["attributes.run_id = 'x'", 'attribute'],
    ["attr.run_id = 'x'", 'attribute'],
    ["run.run_id = 'x'", 'attribute'],
    ["run_id = 'x'", 'attribute'],
    ["dataset.name = 'x'", 'dataset'],
    ["datasets.name = 'x'", 'dataset'],
  ])('maps %s to the %s entity', (filter, entity) => {
    expect(only(filter)?.entity).toBe(entity);
  });

  it('parses string comparators case-insensitively and stores them upper-case', () => {
    expect(only("params.opt like 'ad%'")).toMatchObject({ comparator: 'LIKE', value: 'ad%' });
    expect(only("tags.team ILike 'ML_'")).toMatchObject({ comparator: 'ILIKE', value: 'ML_' });
  });

  it('tolerates double-quoted values', () => {
    expect(only('params.opt = "adam"')).toMatchObject({ value: 'adam' });
  });

  it('unquotes backtick and double-quoted keys', () => {
    expect(only("tags.`mlflow.runName` = 'x'")).toMatchObject({ entity: 'tag', key: 'mlflow.runName' });
    expect(only('metrics."my metric" > 1')).toMatchObject({ entity: 'metric', key: 'my metric' });
  });

  it('keeps dots of unquoted keys', () => {
    expect(only('metrics.val.loss < 1')).toMatchObject({ key: 'val.loss' });
  });

  it('maps the attribute aliases created and run name', () => {
    expect(only('created > 5')).toMatchObject({ key: 'start_time', value: 5 });
    expect(only('attributes.Created > 5')).toMatchObject({ key: 'start_time' });
    expect(only("`run name` = 'a'")).toMatchObject({ key: 'run_name' });
    expect(only("attributes.`Run name` = 'a'")).toMatchObject({ key: 'run_name' });
    expect(only('"Run Name" = \'a\'')).toMatchObject({ key: 'run_name' });
  });

  it('accepts every run attribute', () => {
    for (const key of ['run_id', 'run_name', 'user_id', 'status', 'artifact_uri', 'lifecycle_stage']) {
      expect(only(`${key} = 'x'`)).toMatchObject({ entity: 'attribute', key });
    }
    expect(only('end_time <= 10')).toMatchObject({ key: 'end_time', value: 10 });
  });

  it('parses IN and NOT IN lists for run_id and datasets', () => {
    expect(only("attributes.run_id IN ('a', 'b')")).toMatchObject({ comparator: 'IN', value: ['a', 'b'] });
    expect(only("run_id not in ('a')")).toMatchObject({ comparator: 'NOT IN', value: ['a'] });
    expect(only("datasets.digest IN ('d1')")).toMatchObject({
      entity: 'dataset',
      key: 'digest',
      value: ['d1'],
    });
    expect(only('dataset.context NOT IN (\'train\', "eval")')).toMatchObject({ value: ['train', 'eval'] });
  });

  it('parses IS NULL and IS NOT NULL on metrics, params and tags', () => {
    expect(only('metrics.acc IS NULL')).toMatchObject({ comparator: 'IS NULL', value: null });
    expect(only('params.lr is not null')).toMatchObject({ comparator: 'IS NOT NULL', value: null });
    expect(only('tags.x Is Null')).toMatchObject({ comparator: 'IS NULL' });
  });

  it('parses experiment filters', () => {
    expect(only("name LIKE 'exp%'", 'experiments')).toMatchObject({ entity: 'attribute', key: 'name' });
    expect(only('creation_time > 0', 'experiments')).toMatchObject({ key: 'creation_time', value: 0 });
    expect(only('attribute.last_update_time <= 9', 'experiments')).toMatchObject({ key: 'last_update_time' });
    expect(only("tags.owner = 'me'", 'experiments')).toMatchObject({ entity: 'tag', key: 'owner' });
    expect(only('tags.owner IS NOT NULL', 'experiments')).toMatchObject({ comparator: 'IS NOT NULL' });
  });
});

describe('parseSearchFilter: errors name the token and its position', () => {
  it.each([
    ["metrics.a > 1 OR params.b = 'x'", 14, 'OR', /only be joined with AND/],
    ["(metrics.a > 1) AND params.b = 'x'", 0, '(', /parentheses are not supported/],
    ['metrics.a > 1 AND (metrics.b > 2)', 18, '(', /parentheses/],
    ['metrics.a > 1 metrics.b > 2', 14, 'metrics.b', /expected AND/],
    ['metrics.a > 1 AND', 17, '', /expected an identifier/],
    ['metrics.a', 9, '', /expected a comparator/],
    ['metrics.a == 1', 11, '=', /expected a numeric value/],
    ['metrics.a <> 1', 10, '<>', /use !=/],
    ["metrics.a > '1'", 12, "'1'", /numeric value for metric 'a'/],
    ['metrics.a > abc', 12, 'abc', /numeric value/],
    ["metrics.a LIKE '1'", 10, 'LIKE', /not supported for metric 'a'/],
    ['params.a = 1', 11, '1', /quoted string value for param 'a'/],
    ["params.a > '1'", 9, '>', /comparator > is not supported for param/],
    ["params.a IN ('x')", 9, 'IN', /comparator IN is not supported/],
    ["tags.a NOT LIKE 'x'", 11, 'LIKE', /expected IN after NOT/],
    ['tags.a IS 1', 10, '1', /expected NULL or NOT NULL after IS/],
    ['tags.a IS NOT 1', 14, '1', /expected NULL after IS NOT/],
    ["foo.a = 'x'", 0, 'foo.a', /unknown entity type 'foo'/],
    ['Metrics.a > 1', 0, 'Metrics.a', /unknown entity type 'Metrics'/],
    ["nope = 'x'", 0, 'nope', /unknown attribute 'nope'/],
    ["datasets.source = 'x'", 0, 'datasets.source', /unknown dataset key 'source'/],
    ["run_name IN ('a')", 9, 'IN', /comparator IN is not supported for attribute 'run_name'/],
    ["start_time = '5'", 13, "'5'", /numeric value for attribute 'start_time'/],
    ['start_time LIKE 5', 11, 'LIKE', /not supported/],
    ['status IS NULL', 7, 'IS', /IS NULL is not supported/],
    ['run_id IN ()', 11, ')', /list is empty/],
    ["run_id IN ('a',)", 15, ')', /quoted string in the list/],
    ["run_id IN ('a' 'b')", 15, "'b'", /expected ',' or '\)'/],
    ["run_id IN ('a', 1)", 16, '1', /quoted string in the list/],
    ["run_id IN 'a'", 10, "'a'", /parenthesised list/],
    ["'run_id' = 'a'", 0, "'run_id'", /single quotes are for values/],
    ["AND run_id = 'a'", 0, 'AND', /keyword AND/],
    ["NOT run_id = 'a'", 0, 'NOT', /keyword NOT/],
    ["run_id = 'a' AND OR", 17, 'OR', /keyword OR/],
    ["run_id = 'a')", 12, ')', /parentheses/],
    ["run_id = 'a' ,", 13, ',', /expected AND/],
  ])('%s fails at %i', (filter, position, token, reason) => {
    const error = failure(filter);
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.details).toEqual({ position, token });
    expect(error.message).toContain(`position ${position}`);
    if (token !== '') expect(error.message).toContain(`'${token}'`);
    expect(error.message).toMatch(reason);
  });

  it.each([
    ['metrics.a > 1', 0, /metrics cannot be used when searching experiments/],
    ["params.a = 'x'", 0, /params cannot be used/],
    ["datasets.name = 'x'", 0, /datasets cannot be used/],
    ["run.name = 'x'", 0, /unknown entity type 'run'/],
    ["experiment_id = '1'", 0, /unknown attribute 'experiment_id'/],
    ["name IN ('a')", 5, /IN is not supported/],
    ["creation_time = 'x'", 16, /numeric value/],
  ])('experiments: %s fails', (filter, position, reason) => {
    const error = failure(filter, 'experiments');
    expect(error.details).toMatchObject({ position });
    expect(error.message).toMatch(reason);
  });

  it('rejects run-only aliases for experiments', () => {
    expect(failure('created > 1', 'experiments').message).toMatch(/unknown attribute 'created'/);
  });

  it('rejects text after a quoted key', () => {
    expect(failure('metrics.`a b`c > 1').details).toEqual({ position: 13, token: 'c' });
  });
});
