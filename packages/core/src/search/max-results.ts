import { invalidParameter } from '../errors.js';

/** A search's page-size rule: what an absent max_results means and the largest value accepted. */
export interface MaxResultsRule {
  defaultValue: number;
  max: number;
}

/** Applies the default and checks `max_results` lies in 1..max, as MLflow's server does. */
export function resolveMaxResults(maxResults: number | undefined, rule: MaxResultsRule): number {
  if (maxResults === undefined) return rule.defaultValue;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > rule.max) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied: it must be an integer between 1 and ${rule.max}`,
      { field: 'max_results', limit: rule.max, value: maxResults },
    );
  }
  return maxResults;
}
