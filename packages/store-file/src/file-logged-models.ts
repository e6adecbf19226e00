import { join } from 'node:path';
import {
  type CreateLoggedModelInput,
  type Experiment,
  type FinalizeLoggedModelInput,
  type GetLoggedModelOptions,
  type LoggedModel,
  type LoggedModelParameter,
  type LoggedModelStore,
  type LoggedModelTag,
  latestLoggedModelMetrics,
  loggedModelNotFound,
  loggedModelTagNotFound,
  type Metric,
  newLoggedModel,
  type Page,
  type SearchLoggedModelsInput,
  searchLoggedModelsInMemory,
  validateEntityKey,
  validateLoggedModelParams,
  validateLoggedModelStatus,
  validateLoggedModelTags,
} from '@cairn/core';
import {
  appendAtomic,
  listDirectories,
  readKeyedFiles,
  readYaml,
  withDirectoryLock,
  writeYaml,
} from './fs-io.js';
import { removeTagFile, writeKeyedFile } from './keyed-files.js';
import {
  formatModelMetricLine,
  isSafeModelId,
  loggedModelFromMeta,
  loggedModelMeta,
  loggedModelPaths,
  parseModelMetricFile,
} from './logged-model-files.js';

/** What the logged-model operations need from the mlruns tree. */
export interface FileLoggedModelContext {
  /** Every experiment folder (active and in `.trash`) with its experiment. */
  allExperiments(): Promise<{ dir: string; experiment: Experiment }[]>;
  /** One experiment and its folder, or RESOURCE_DOES_NOT_EXIST. */
  findExperiment(experimentId: string): Promise<{ dir: string; experiment: Experiment }>;
}

interface LocatedModel {
  dir: string;
  info: Omit<LoggedModel['info'], 'tags'>;
  deleted: boolean;
}

/** Reads a model folder into the entity, its metrics reduced to the latest per (key, dataset). */
async function readModel(located: LocatedModel): Promise<LoggedModel> {
  const paths = loggedModelPaths(join(located.dir, '..', '..'), located.info.model_id);
  const [tags, params, metricFiles] = await Promise.all([
    readKeyedFiles(paths.tags),
    readKeyedFiles(paths.params),
    readKeyedFiles(paths.metrics),
  ]);
  const points = [...metricFiles].flatMap(([key, content]) =>
    parseModelMetricFile(key, content, located.info.model_id),
  );
  return {
    info: { ...located.info, tags: [...tags].map(([key, value]) => ({ key, value })) },
    data: {
      params: [...params].map(([key, value]) => ({ key, value })),
      metrics: latestLoggedModelMetrics(points),
    },
  };
}

/** MLflow 3 logged models in MLflow's FileStore layout: `<experiment>/models/<model_id>/`. */
export function createFileLoggedModelOperations(context: FileLoggedModelContext): {
  methods: LoggedModelStore;
  recordMetrics(runId: string, metrics: readonly Metric[]): Promise<void>;
} {
  const locateIn = async (experimentDir: string, modelId: string): Promise<LocatedModel | undefined> => {
    const paths = loggedModelPaths(experimentDir, modelId);
    const meta = await readYaml(paths.meta);
    if (meta === undefined) return undefined;
    return { dir: paths.dir, ...loggedModelFromMeta(meta) };
  };

  const locate = async (modelId: string, allowDeleted = false): Promise<LocatedModel> => {
    if (isSafeModelId(modelId)) {
      for (const { dir } of await context.allExperiments()) {
        const found = await locateIn(dir, modelId);
        if (found !== undefined && (!found.deleted || allowDeleted)) return found;
      }
    }
    throw loggedModelNotFound(modelId);
  };

  /** Rewrites `meta.yaml` under the model's lock, after re-reading it. */
  const updateMeta = (modelId: string, change: (info: LocatedModel['info']) => { deleted?: boolean }) =>
    locate(modelId).then((located) =>
      withDirectoryLock(located.dir, async () => {
        const fresh = await locateIn(join(located.dir, '..', '..'), modelId);
        if (fresh === undefined || fresh.deleted) throw loggedModelNotFound(modelId);
        const { deleted = false } = change(fresh.info);
        fresh.info.last_updated_timestamp_ms = Math.max(Date.now(), fresh.info.creation_timestamp_ms);
        await writeYaml(
          join(located.dir, 'meta.yaml'),
          loggedModelMeta({ ...fresh.info, tags: [] }, deleted),
          located.dir,
        );
      }),
    );

  const methods: LoggedModelStore = {
    async createLoggedModel(input: CreateLoggedModelInput) {
      const { dir, experiment } = await context.findExperiment(input.experimentId);
      const model = newLoggedModel(input, experiment);
      const paths = loggedModelPaths(dir, model.info.model_id);
      for (const param of model.data.params)
        await writeKeyedFile(paths.dir, 'params', param.key, param.value, dir);
      for (const tag of model.info.tags) await writeKeyedFile(paths.dir, 'tags', tag.key, tag.value, dir);
      // meta.yaml last: until it exists, readers do not see the model.
      await writeYaml(paths.meta, loggedModelMeta(model.info, false), dir);
      return model;
    },

    async getLoggedModel(modelId: string, options: GetLoggedModelOptions = {}) {
      return readModel(await locate(modelId, options.allowDeleted));
    },

    async finalizeLoggedModel(input: FinalizeLoggedModelInput) {
      const status = validateLoggedModelStatus(input.status);
      await updateMeta(input.modelId, (info) => {
        info.status = status;
        return {};
      });
      return readModel(await locate(input.modelId));
    },

    async deleteLoggedModel(modelId: string) {
      await updateMeta(modelId, () => ({ deleted: true }));
    },

    async searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
      const wanted = new Set(input.experimentIds);
      const experiments = (await context.allExperiments()).filter(({ experiment }) =>
        wanted.has(experiment.experiment_id),
      );
      const models: LoggedModel[] = [];
      for (const { dir } of experiments) {
        for (const modelId of await listDirectories(join(dir, 'models'))) {
          if (!isSafeModelId(modelId)) continue;
          const located = await locateIn(dir, modelId);
          if (located !== undefined && !located.deleted) models.push(await readModel(located));
        }
      }
      return searchLoggedModelsInMemory(models, input);
    },

    async setLoggedModelTags(modelId: string, tags: LoggedModelTag[]) {
      const valid = validateLoggedModelTags(tags);
      const located = await locate(modelId);
      for (const tag of valid) await writeKeyedFile(located.dir, 'tags', tag.key, tag.value);
    },

    async deleteLoggedModelTag(modelId: string, key: string) {
      const located = await locate(modelId);
      if (!(await removeTagFile(join(located.dir, 'tags'), key))) throw loggedModelTagNotFound(modelId, key);
    },

    async logLoggedModelParams(modelId: string, params: LoggedModelParameter[]) {
      const valid = validateLoggedModelParams(params);
      const located = await locate(modelId);
      for (const param of valid) await writeKeyedFile(located.dir, 'params', param.key, param.value);
    },
  };

  return {
    methods,
    async recordMetrics(runId, metrics) {
      const withModel = metrics.filter((metric) => metric.model_id !== undefined);
      if (withModel.length === 0) return;
      const byModel = new Map<string, Metric[]>();
      for (const metric of withModel) {
        const list = byModel.get(metric.model_id as string) ?? [];
        list.push(metric);
        byModel.set(metric.model_id as string, list);
      }
      for (const [modelId, points] of byModel) {
        let located: LocatedModel;
        try {
          located = await locate(modelId, true);
        } catch {
          // A model_id of no model here stays on the run only.
          continue;
        }
        const byKey = new Map<string, string>();
        for (const point of points) {
          validateEntityKey('metric', point.key);
          byKey.set(point.key, (byKey.get(point.key) ?? '') + formatModelMetricLine(point, runId));
        }
        await Promise.all(
          [...byKey].map(([key, lines]) =>
            appendAtomic(join(located.dir, 'metrics', key), lines, located.dir),
          ),
        );
      }
    },
  };
}
