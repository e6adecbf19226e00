/** What a search clause's identifier refers to. */
export type SearchEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** A comparison operator of MLflow's filter grammar (plus Cairn's IS NULL / IS NOT NULL). */
export type Comparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

/** One `<identifier> <comparator> <value>` clause. */
export interface Comparison {
  entity: SearchEntity;
  /** The key after the prefix, unquoted; for attributes the canonical name (`start_time`, `run_name`...). */
  key: string;
  comparator: Comparator;
  /** A number for numeric comparisons, a string, a list for IN / NOT IN, null for IS [NOT] NULL. */
  value: string | number | string[] | null;
  /** Zero-based character offset of the clause in the filter string. */
  position: number;
}

/** A parsed filter: clauses joined by AND. An empty list matches everything. */
export interface SearchFilter {
  clauses: Comparison[];
}

/** One parsed order_by clause. */
export interface OrderByClause {
  entity: SearchEntity;
  key: string;
  ascending: boolean;
}

/** Which search a filter or order_by belongs to; each allows different identifiers. */
export type SearchTarget = 'runs' | 'experiments' | 'logged_models' | 'registered_models' | 'model_versions';
