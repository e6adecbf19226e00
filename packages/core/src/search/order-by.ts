import type { OrderByClause, SearchTarget } from './search-ast.js';

/** Parses MLflow order_by clauses (`metrics.acc DESC`, `attributes.start_time`). */
export function parseOrderBy(orderBy: readonly string[] | undefined, target: SearchTarget): OrderByClause[] {
  void orderBy;
  void target;
  throw new Error('PENDING (search helper)');
}
