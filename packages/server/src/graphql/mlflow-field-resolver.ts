import {
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  getNullableType,
  isEnumType,
  isListType,
  isObjectType,
  isScalarType,
} from 'graphql';
import type { GraphqlContext } from './graphql-context.js';

/** A resolver of one field: the parent value, the field's arguments, the request context. */
export type FieldResolver = (
  source: unknown,
  args: Record<string, unknown>,
  context: GraphqlContext,
) => unknown;

/** Resolvers by type name, then field name; every other field is read off its parent value. */
export type ResolverMap = Readonly<Record<string, Readonly<Record<string, FieldResolver>>>>;

/** `datasetSummaries` -> `dataset_summaries`: Cairn's entities keep MLflow's wire (snake_case) names. */
const snakeCase = (name: string) => name.replace(/[A-Z]/gu, (letter) => `_${letter.toLowerCase()}`);

/**
 * What MLflow answers for a field its protobuf message leaves unset: MLflow's resolvers read protobuf
 * messages, whose unset scalars read as their zero value, unset lists as empty and unset messages as empty
 * messages. Enums stay null (MLflow's GraphQL enums do not contain protobuf's zero), and so does `apiError`,
 * which is no protobuf field.
 */
function unsetValue(type: GraphQLOutputType, fieldName: string): unknown {
  if (fieldName === 'apiError') return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [];
  if (isObjectType(nullable)) return {};
  if (isEnumType(nullable) || !isScalarType(nullable)) return null;
  switch (nullable.name) {
    case 'String':
      return '';
    case 'LongString':
      return '0';
    case 'Boolean':
      return false;
    default:
      return 0;
  }
}

/** Fits a value to its GraphQL scalar: int64s as decimal strings, NaN as null (GraphQL's Float has no NaN). */
function scalarValue(type: GraphQLOutputType, value: unknown): unknown {
  const nullable = getNullableType(type);
  if (!isScalarType(nullable)) return value;
  if (nullable.name === 'LongString' && typeof value === 'number') return String(value);
  if (nullable.name === 'Float' && typeof value === 'number' && Number.isNaN(value)) return null;
  return value;
}

/**
 * The one field resolver of MLflow's schema: a resolver from `resolvers` where there is one, else the parent's
 * snake_case property; then MLflow's rules for unset fields of its `Mlflow*` (protobuf) types, LongString and NaN.
 * Infinities stay a field error, as in MLflow.
 */
export function createMlflowFieldResolver(
  resolvers: ResolverMap,
): GraphQLFieldResolver<unknown, GraphqlContext, Record<string, unknown>> {
  return (source, args, context, info) => {
    const resolver = resolvers[info.parentType.name]?.[info.fieldName];
    const finish = (value: unknown) => {
      if ((value === undefined || value === null) && info.parentType.name.startsWith('Mlflow')) {
        return resolver === undefined ? unsetValue(info.returnType, info.fieldName) : value;
      }
      return scalarValue(info.returnType, value);
    };
    if (resolver !== undefined) {
      const value = resolver(source, args, context);
      return value instanceof Promise ? value.then(finish) : finish(value);
    }
    const record = (source ?? {}) as Record<string, unknown>;
    return finish(record[info.fieldName] ?? record[snakeCase(info.fieldName)]);
  };
}
