import { CairnError, normaliseArtifactPath, type Run, type ViewType } from '@cairn/core';
import { getMetricHistoryBulkInterval } from '../metric-history-bulk-interval.js';
import type { GraphqlContext } from './graphql-context.js';
import {
  type GraphqlInput,
  inputFields,
  optionalInt,
  optionalLong,
  optionalString,
  requiredString,
  stringList,
} from './graphql-inputs.js';
import type { FieldResolver, ResolverMap } from './mlflow-field-resolver.js';

/** The `input` argument every MLflow root field takes. */
const inputOf = (args: Record<string, unknown>) => inputFields(args.input as GraphqlInput);

/** The run an input names, by `runId` or its legacy twin `runUuid`. */
const runIdOf = (input: Readonly<Record<string, unknown>>) =>
  requiredString(optionalString(input.runId) ?? input.runUuid, 'run_id');

const searchRuns: FieldResolver = async (_source, args, context) => {
  const input = inputOf(args);
  const filter = optionalString(input.filter);
  const orderBy = stringList(input.orderBy, 'order_by');
  const runViewType = input.runViewType as ViewType | null | undefined;
  const maxResults = optionalInt(input.maxResults);
  const pageToken = optionalString(input.pageToken);
  const page = await context.trackingStore.searchRuns({
    experimentIds: stringList(input.experimentIds, 'experiment_ids'),
    ...(filter !== undefined ? { filter } : {}),
    ...(orderBy.length > 0 ? { orderBy } : {}),
    ...(runViewType ? { runViewType } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(pageToken !== undefined ? { pageToken } : {}),
  });
  return { runs: page.items, next_page_token: page.nextPageToken };
};

/** A probe field: answers its argument. */
const echo: FieldResolver = (_source, args) => ({ output: args.inputString });

/**
 * The resolvers of MLflow's schema, over the stores in the request's {@link GraphqlContext}. Each root field
 * answers what the REST RPC of the same name answers, with the same checks.
 */
export const mlflowResolvers: ResolverMap = {
  Query: {
    mlflowGetExperiment: async (_source, args, context) => ({
      experiment: await context.trackingStore.getExperiment(
        requiredString(inputOf(args).experimentId, 'experiment_id'),
      ),
    }),
    mlflowGetRun: async (_source, args, context) => ({
      run: await context.trackingStore.getRun(runIdOf(inputOf(args))),
    }),
    mlflowSearchRuns: searchRuns,
    mlflowGetMetricHistoryBulkInterval: async (_source, args, context) => {
      const input = inputOf(args);
      const startStep = optionalInt(input.startStep);
      const endStep = optionalInt(input.endStep);
      const maxResults = optionalInt(input.maxResults);
      return {
        metrics: await getMetricHistoryBulkInterval(context.trackingStore, {
          runIds: stringList(input.runIds, 'run_ids'),
          metricKey: requiredString(input.metricKey, 'metric_key'),
          ...(startStep !== undefined ? { startStep } : {}),
          ...(endStep !== undefined ? { endStep } : {}),
          ...(maxResults !== undefined ? { maxResults } : {}),
        }),
      };
    },
    mlflowListArtifacts: async (_source, args, context) => {
      const input = inputOf(args);
      const path = normaliseArtifactPath(optionalString(input.path), 'path');
      const run = await context.trackingStore.getRun(runIdOf(input));
      const files = await (await context.openArtifacts(run.info.artifact_uri)).list(path);
      return { root_uri: run.info.artifact_uri, files };
    },
    mlflowSearchModelVersions: async (_source, args, context) => {
      if (context.registryStore === undefined) {
        throw new CairnError('NOT_IMPLEMENTED', 'This Cairn server has no model registry.');
      }
      const input = inputOf(args);
      const filter = optionalString(input.filter);
      const maxResults = optionalLong(input.maxResults, 'max_results');
      const orderBy = stringList(input.orderBy, 'order_by');
      const pageToken = optionalString(input.pageToken);
      const page = await context.registryStore.searchModelVersions({
        ...(filter !== undefined ? { filter } : {}),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(orderBy.length > 0 ? { orderBy } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      return { model_versions: page.items, next_page_token: page.nextPageToken };
    },
    test: echo,
  },
  Mutation: {
    mlflowSearchDatasets: async (_source, args, context) => ({
      dataset_summaries: await context.trackingStore.searchDatasets({
        experimentIds: stringList(inputOf(args).experimentIds, 'experiment_ids'),
      }),
    }),
    mlflowSearchRuns: searchRuns,
    testMutation: echo,
  },
  MlflowRunExtension: {
    experiment: (source, _args, context: GraphqlContext) =>
      context.experiment((source as Run).info.experiment_id),
    modelVersions: (source, _args, context: GraphqlContext) =>
      context.modelVersionsOfRun((source as Run).info.run_id),
  },
};
