import type { OrderByClause, SearchTarget } from './search-ast.js';
import { searchSyntaxError } from './search-error.js';
import { resolveIdentifier } from './search-identifiers.js';
import { type SearchToken, tokenizeSearch } from './search-tokenizer.js';

function parseOneOrderBy(clause: string, target: SearchTarget): OrderByClause {
  const tokens = tokenizeSearch(clause, 'order_by');
  const fail = (reason: string, token: SearchToken) =>
    searchSyntaxError('order_by', `${reason} (in clause '${clause}')`, token.text, token.position);

  const first = tokens[0] as SearchToken;
  let prefix: string | undefined;
  let key: string;
  if (first.kind === 'identifier') {
    prefix = first.prefix;
    key = first.key;
  } else if (first.kind === 'word' || (first.kind === 'string' && first.quote === '"')) {
    key = first.kind === 'word' ? first.text : first.value;
  } else {
    throw fail('expected an identifier such as metrics.acc or start_time', first);
  }

  const resolved = resolveIdentifier(prefix, key, target, 'order_by');
  if (!resolved.ok) throw fail(resolved.reason, first);
  if (resolved.entity === 'dataset') throw fail('runs cannot be ordered by dataset fields', first);
  if (target === 'experiments' && resolved.entity !== 'attribute') {
    throw fail(
      'experiments can only be ordered by name, experiment_id, creation_time or last_update_time',
      first,
    );
  }

  if ((target === 'registered_models' || target === 'model_versions') && resolved.entity !== 'attribute') {
    throw fail(`${target} can only be ordered by their attributes`, first);
  }

  let ascending = true;
  const direction = tokens[1] as SearchToken;
  if (direction.kind !== 'end') {
    const word = direction.kind === 'word' ? direction.text.toUpperCase() : '';
    if (word !== 'ASC' && word !== 'DESC') throw fail('expected ASC or DESC after the identifier', direction);
    ascending = word === 'ASC';
    const rest = tokens[2] as SearchToken;
    if (rest.kind !== 'end') throw fail('unexpected text after the direction', rest);
  }
  return { entity: resolved.entity, key: resolved.key, ascending };
}

/**
 * Parses MLflow order_by clauses (`metrics.acc DESC`, `attributes.start_time`), default ASC. Positions
 * in errors are offsets within the offending clause.
 */
export function parseOrderBy(orderBy: readonly string[] | undefined, target: SearchTarget): OrderByClause[] {
  return (orderBy ?? []).map((clause) => parseOneOrderBy(clause, target));
}
