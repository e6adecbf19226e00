import type { Comparator, Comparison, SearchFilter, SearchTarget } from './search-ast.js';
import { searchSyntaxError } from './search-error.js';
import { clauseRule, resolveIdentifier } from './search-identifiers.js';
import { type SearchToken, tokenizeSearch } from './search-tokenizer.js';

const keywords: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'ILIKE',
  'ASC',
  'DESC',
]);

/** True when `token` is the bare keyword `keyword`, in any letter case. */
function isKeyword(token: SearchToken, keyword: string): boolean {
  return token.kind === 'word' && token.text.toUpperCase() === keyword;
}

/**
 * A recursive-descent parser over the token list. Grammar:
 *   filter     := ε | clause ( AND clause )*
 *   clause     := identifier comparator
 *   comparator := ( = | != | < | <= | > | >= | LIKE | ILIKE ) scalar
 *               | [NOT] IN '(' string ( ',' string )* ')'
 *               | IS [NOT] NULL
 */
class FilterParser {
  private index = 0;

  constructor(
    private readonly tokens: readonly SearchToken[],
    private readonly target: SearchTarget,
  ) {}

  parse(): SearchFilter {
    const clauses: Comparison[] = [];
    if (this.peek().kind === 'end') return { clauses };
    clauses.push(this.parseClause());
    for (;;) {
      const token = this.peek();
      if (token.kind === 'end') return { clauses };
      if (isKeyword(token, 'AND')) {
        this.index += 1;
        clauses.push(this.parseClause());
        continue;
      }
      if (isKeyword(token, 'OR')) {
        throw this.error('OR is not supported; clauses can only be joined with AND', token);
      }
      if (token.kind === 'punctuation' && token.text !== ',') {
        throw this.error('parentheses are not supported; clauses can only be joined with AND', token);
      }
      throw this.error('expected AND or the end of the filter after a complete clause', token);
    }
  }

  private peek(): SearchToken {
    // The tokenizer always ends the list with an `end` token, so the last element is a safe fallback.
    return this.tokens[this.index] ?? (this.tokens[this.tokens.length - 1] as SearchToken);
  }

  private next(): SearchToken {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private error(reason: string, token: SearchToken) {
    return searchSyntaxError('filter', reason, token.text, token.position);
  }

  private parseClause(): Comparison {
    const identifierToken = this.next();
    const { prefix, key } = this.readIdentifier(identifierToken);
    const resolved = resolveIdentifier(prefix, key, this.target, 'filter');
    if (!resolved.ok) throw this.error(resolved.reason, identifierToken);
    const { entity } = resolved;
    const rule = clauseRule(this.target, entity, resolved.key);

    const comparatorToken = this.peek();
    const comparator = this.readComparator();
    const subject = entity === 'attribute' ? `attribute '${resolved.key}'` : `${entity} '${resolved.key}'`;
    if (!rule.comparators.has(comparator)) {
      throw this.error(
        `comparator ${comparator} is not supported for ${subject}; expected one of ${[...rule.comparators].join(', ')}`,
        comparatorToken,
      );
    }

    const base = { entity, key: resolved.key, comparator, position: identifierToken.position };
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') return { ...base, value: null };
    if (comparator === 'IN' || comparator === 'NOT IN') return { ...base, value: this.readList() };

    const valueToken = this.next();
    if (rule.valueKind === 'number') {
      if (valueToken.kind !== 'number') {
        throw this.error(`expected a numeric value for ${subject}`, valueToken);
      }
      return { ...base, value: valueToken.value };
    }
    if (valueToken.kind !== 'string') {
      throw this.error(`expected a quoted string value for ${subject} (e.g. 'value')`, valueToken);
    }
    return { ...base, value: valueToken.value };
  }

  /** Reads the left-hand side: `prefix.key`, a backtick/double-quoted key, or a bare attribute name. */
  private readIdentifier(token: SearchToken): { prefix: string | undefined; key: string } {
    switch (token.kind) {
      case 'identifier':
        return { prefix: token.prefix, key: token.key };
      case 'string':
        if (token.quote === '"') return { prefix: undefined, key: token.value };
        throw this.error(
          'expected an identifier; single quotes are for values, quote keys with backticks',
          token,
        );
      case 'word':
        if (keywords.has(token.text.toUpperCase())) {
          throw this.error(`expected an identifier, found the keyword ${token.text.toUpperCase()}`, token);
        }
        return { prefix: undefined, key: token.text };
      case 'punctuation':
        if (token.text !== ',') {
          throw this.error('parentheses are not supported; clauses can only be joined with AND', token);
        }
        break;
      case 'end':
        throw this.error('expected an identifier', token);
      default:
        break;
    }
    throw this.error('expected an identifier', token);
  }

  private readComparator(): Comparator {
    const token = this.next();
    if (token.kind === 'operator') {
      if (token.text === '<>') throw this.error("'<>' is not supported; use !=", token);
      return token.text;
    }
    if (token.kind === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
      if (word === 'NOT') {
        const following = this.next();
        if (isKeyword(following, 'IN')) return 'NOT IN';
        throw this.error('expected IN after NOT', following);
      }
      if (word === 'IS') {
        const following = this.next();
        if (isKeyword(following, 'NULL')) return 'IS NULL';
        if (isKeyword(following, 'NOT')) {
          const last = this.next();
          if (isKeyword(last, 'NULL')) return 'IS NOT NULL';
          throw this.error('expected NULL after IS NOT', last);
        }
        throw this.error('expected NULL or NOT NULL after IS', following);
      }
    }
    throw this.error(
      'expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL)',
      token,
    );
  }

  /** Reads `('a', 'b', ...)`: a non-empty list of strings. */
  private readList(): string[] {
    const open = this.next();
    if (open.kind !== 'punctuation' || open.text !== '(') {
      throw this.error("expected a parenthesised list of quoted strings, e.g. ('a', 'b')", open);
    }
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind === 'punctuation' && item.text === ')' && values.length === 0) {
        throw this.error('the list is empty; it needs at least one quoted string', item);
      }
      if (item.kind !== 'string') throw this.error('expected a quoted string in the list', item);
      values.push(item.value);
      const separator = this.next();
      if (separator.kind === 'punctuation' && separator.text === ')') return values;
      if (separator.kind !== 'punctuation' || separator.text !== ',') {
        throw this.error("expected ',' or ')' in the list", separator);
      }
    }
  }
}

/** Parses an MLflow filter string into a typed AST; errors name the offending token and its position. */
export function parseSearchFilter(filter: string | undefined, target: SearchTarget): SearchFilter {
  if (filter === undefined || filter.trim() === '') return { clauses: [] };
  return new FilterParser(tokenizeSearch(filter, 'filter'), target).parse();
}
