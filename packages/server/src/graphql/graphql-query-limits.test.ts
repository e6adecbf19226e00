import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkGraphqlQueryLimits } from './graphql-query-limits.js';

const check = (query: string) => checkGraphqlQueryLimits(parse(query));

/** `name { name { ... } }`, `levels` deep. */
const nested = (levels: number) => {
  let inner = 'name';
  for (let level = 0; level < levels; level += 1) inner = `name { ${inner} }`;
  return inner;
};

describe('checkGraphqlQueryLimits', () => {
  it('lets an ordinary UI query through', () => {
    expect(
      check(
        'query q { mlflowGetRun(input: {runId: "r"}) { run { info { status } data { metrics { key } } } } }',
      ),
    ).toBeUndefined();
  });

  it('refuses more than 10 root fields, counting across operations and aliases', () => {
    const fields = Array.from({ length: 11 }, (_, index) => `f${index}: test { output }`).join(' ');
    expect(check(`query q { ${fields} }`)).toBe(
      'GraphQL queries should have at most 10 root fields, got 11 root fields.',
    );
    expect(check('query a { a b c d e f } query b { g h i j k }')).toContain('got 11 root fields');
    expect(check('query a { a b c d e f g h i j }')).toBeUndefined();
  });

  it('refuses more than 10 aliases in one selection set, but not 10 in each of two', () => {
    const aliased = (count: number) =>
      Array.from({ length: count }, (_, index) => `e${index}: experiment { name }`).join(' ');
    expect(check(`query q { x { ${aliased(11)} } }`)).toBe(
      'GraphQL queries should have at most 10 aliases, got 11 aliases.',
    );
    expect(check(`query q { x { ${aliased(10)} } y { ${aliased(10)} } }`)).toBeUndefined();
  });

  it('refuses a query nested deeper than 10 selection sets', () => {
    // The operation's own set is depth 1, so 9 nested sets below it are the most allowed.
    expect(check(`query q { ${nested(9)} }`)).toBeUndefined();
    expect(check(`query q { ${nested(10)} }`)).toBe('Query exceeds maximum depth of 10');
  });

  it('refuses more than 1000 selections', () => {
    const fields = Array.from({ length: 501 }, (_, index) => `f${index} { name }`).join(' ');
    expect(check(`query q { x { ${fields} } }`)).toBe('Query exceeds maximum total selections of 1000');
  });

  it('opens fragments, so neither inline nor named ones hide depth, aliases or root fields', () => {
    expect(check(`query q { ... on Query { ${nested(10)} } }`)).toBe('Query exceeds maximum depth of 10');
    expect(check(`query q { name { ...deep } } fragment deep on X { ${nested(9)} }`)).toBe(
      'Query exceeds maximum depth of 10',
    );
    const aliased = Array.from({ length: 6 }, (_, index) => `a${index}: name`).join(' ');
    expect(
      check(`query q { x { ${aliased} ...more } } fragment more on X { ${aliased.replaceAll('a', 'b')} }`),
    ).toBe('GraphQL queries should have at most 10 aliases, got 12 aliases.');
    expect(check('query q { ...top } fragment top on Query { a b c d e f g h i j k }')).toContain(
      'got 11 root fields',
    );
  });

  it('ends on fragment cycles (which validation refuses afterwards)', () => {
    expect(
      check('query q { x { ...a } } fragment a on X { name ...b } fragment b on X { ...a }'),
    ).toBeUndefined();
  });

  it('stops a fragment that fans out at the selection limit instead of expanding it', () => {
    const levels = Array.from(
      { length: 30 },
      (_, index) => `fragment f${index} on X { ...f${index + 1} ...f${index + 1} ...f${index + 1} }`,
    );
    const query = `query q { x { ...f0 } } ${levels.join(' ')} fragment f30 on X { name }`;
    const started = performance.now();
    expect(check(query)).toBe('Query exceeds maximum total selections of 1000');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
