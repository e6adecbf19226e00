import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/** How big a query may be before it is refused unexecuted (MLflow's defaults: 10, 10, 10 and 1000). */
export interface GraphqlQueryLimits {
  /** Fields at the top of the document's operations, aliased or not (MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS). */
  maxRootFields: number;
  /** Aliased fields in one selection set (MLFLOW_SERVER_GRAPHQL_MAX_ALIASES). */
  maxAliases: number;
  /** Nesting of selection sets; an operation's own is depth 1. */
  maxDepth: number;
  /** Fields in the whole document. */
  maxSelections: number;
}

/** MLflow's limits. */
export const mlflowGraphqlQueryLimits: GraphqlQueryLimits = {
  maxRootFields: 10,
  maxAliases: 10,
  maxDepth: 10,
  maxSelections: 1000,
};

/** The MLflow-style error that stops the walk. */
class LimitPassed extends Error {}

/** One field found in a selection set, with the named fragments opened on the way to it. */
interface FoundField {
  field: FieldNode;
  opening: ReadonlySet<string>;
}

/**
 * Checks a parsed query against the limits before it is validated or run, as MLflow's server does, so a
 * query built to be expensive costs no more than this walk. Fragments (inline and named) are opened where
 * they are used, so neither hides depth, aliases or fields; each opening counts as a selection too, which
 * bounds the walk for fragments that fan out. Returns the error message to answer, or undefined.
 */
export function checkGraphqlQueryLimits(
  document: DocumentNode,
  limits: GraphqlQueryLimits = mlflowGraphqlQueryLimits,
): string | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let selections = 0;
  const count = () => {
    selections += 1;
    if (selections > limits.maxSelections) {
      throw new LimitPassed(`Query exceeds maximum total selections of ${limits.maxSelections}`);
    }
  };
  // The fields of one selection set with its fragments opened in place. A named fragment already open on
  // the way down is skipped: validation refuses such cycles later, and this walk must end first.
  const fieldsOf = (selectionSet: SelectionSetNode, opening: ReadonlySet<string>): FoundField[] => {
    const found: FoundField[] = [];
    const work = [{ selectionSet, opening }];
    for (let next = work.pop(); next !== undefined; next = work.pop()) {
      for (const selection of next.selectionSet.selections) {
        count();
        if (selection.kind === Kind.FIELD) found.push({ field: selection, opening: next.opening });
        else if (selection.kind === Kind.INLINE_FRAGMENT) {
          work.push({ selectionSet: selection.selectionSet, opening: next.opening });
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment === undefined || next.opening.has(fragment.name.value)) continue;
          work.push({
            selectionSet: fragment.selectionSet,
            opening: new Set([...next.opening, fragment.name.value]),
          });
        }
      }
    }
    return found;
  };

  let rootFields = 0;
  let mostAliases = 0;
  try {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const stack = [
        {
          selectionSet: definition.selectionSet,
          depth: 1,
          opening: new Set<string>() as ReadonlySet<string>,
        },
      ];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        if (next.depth > limits.maxDepth) return `Query exceeds maximum depth of ${limits.maxDepth}`;
        const fields = fieldsOf(next.selectionSet, next.opening);
        if (next.depth === 1) rootFields += fields.length;
        mostAliases = Math.max(mostAliases, fields.filter(({ field }) => field.alias !== undefined).length);
        for (const { field, opening } of fields) {
          if (field.selectionSet !== undefined) {
            stack.push({ selectionSet: field.selectionSet, depth: next.depth + 1, opening });
          }
        }
      }
    }
  } catch (error) {
    if (error instanceof LimitPassed) return error.message;
    throw error;
  }
  if (rootFields > limits.maxRootFields) {
    return `GraphQL queries should have at most ${limits.maxRootFields} root fields, got ${rootFields} root fields.`;
  }
  if (mostAliases > limits.maxAliases) {
    return `GraphQL queries should have at most ${limits.maxAliases} aliases, got ${mostAliases} aliases.`;
  }
  return undefined;
}
