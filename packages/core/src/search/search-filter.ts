import type { SearchFilter, SearchTarget } from './search-ast.js';

/** Parses an MLflow filter string into a typed AST; errors name the offending token and its position. */
export function parseSearchFilter(filter: string | undefined, target: SearchTarget): SearchFilter {
  void filter;
  void target;
  throw new Error('PENDING (search helper)');
}
