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
  validateLoggedModelParams,
  validateLoggedModelStatus,
  validateLoggedModelTags,
} from '@cairn/core';

interface ModelRecord {
  info: Omit<LoggedModel['info'], 'tags'>;
  deleted: boolean;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** Every metric point logged against the model, in logging order. */
  points: Metric[];
}

/** What the logged models need from the rest of the store. */
interface MemoryLoggedModelsContext {
  /** Returns an experiment or throws RESOURCE_DOES_NOT_EXIST; throws INVALID_STATE once closed. */
  experiment(experimentId: string): Experiment;
  /** Throws INVALID_STATE once the store is closed. */
  open(): void;
}

const entries = (map: ReadonlyMap<string, string>) => [...map].map(([key, value]) => ({ key, value }));

function view(record: ModelRecord): LoggedModel {
  return {
    info: { ...record.info, tags: entries(record.tags) },
    data: {
      params: entries(record.params),
      metrics: latestLoggedModelMetrics(record.points).map((m) => ({ ...m })),
    },
  };
}

/** Logged models held in memory, with the hook logBatch uses to record metrics that carry a `model_id`. */
export function createMemoryLoggedModels(context: MemoryLoggedModelsContext): {
  methods: LoggedModelStore;
  recordMetrics(runId: string, experimentId: string, metrics: readonly Metric[]): void;
  /** Drops every logged model of an experiment (the experiment is being purged). */
  forgetExperiment(experimentId: string): void;
  clear(): void;
} {
  const models = new Map<string, ModelRecord>();

  const find = (modelId: string, allowDeleted = false): ModelRecord => {
    context.open();
    const record = models.get(modelId);
    if (record === undefined || (record.deleted && !allowDeleted)) throw loggedModelNotFound(modelId);
    return record;
  };
  const touch = (record: ModelRecord) => {
    record.info.last_updated_timestamp_ms = Math.max(Date.now(), record.info.creation_timestamp_ms);
  };

  const methods: LoggedModelStore = {
    async createLoggedModel(input: CreateLoggedModelInput) {
      const model = newLoggedModel(input, context.experiment(input.experimentId));
      const { tags, ...info } = model.info;
      models.set(info.model_id, {
        info,
        deleted: false,
        params: new Map(model.data.params.map((param) => [param.key, param.value])),
        tags: new Map(tags.map((tag) => [tag.key, tag.value])),
        points: [],
      });
      return model;
    },

    async getLoggedModel(modelId: string, options: GetLoggedModelOptions = {}) {
      return view(find(modelId, options.allowDeleted));
    },

    async finalizeLoggedModel(input: FinalizeLoggedModelInput) {
      const status = validateLoggedModelStatus(input.status);
      const record = find(input.modelId);
      record.info.status = status;
      touch(record);
      return view(record);
    },

    async deleteLoggedModel(modelId: string) {
      const record = find(modelId);
      record.deleted = true;
      touch(record);
    },

    async searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
      context.open();
      const wanted = new Set(input.experimentIds);
      const candidates = [...models.values()]
        .filter((record) => !record.deleted && wanted.has(record.info.experiment_id))
        .map(view);
      return searchLoggedModelsInMemory(candidates, input);
    },

    async setLoggedModelTags(modelId: string, tags: LoggedModelTag[]) {
      const valid = validateLoggedModelTags(tags);
      const record = find(modelId);
      for (const tag of valid) record.tags.set(tag.key, tag.value);
    },

    async deleteLoggedModelTag(modelId: string, key: string) {
      const record = find(modelId);
      if (!record.tags.delete(key)) {
        throw loggedModelTagNotFound(modelId, key);
      }
    },

    async logLoggedModelParams(modelId: string, params: LoggedModelParameter[]) {
      const valid = validateLoggedModelParams(params);
      const record = find(modelId);
      for (const param of valid) record.params.set(param.key, param.value);
    },
  };

  return {
    methods,
    recordMetrics(runId, _experimentId, metrics) {
      for (const metric of metrics) {
        if (metric.model_id === undefined) continue;
        const record = models.get(metric.model_id);
        if (record === undefined) continue;
        const point: Metric = { ...metric, run_id: runId };
        const repeated = record.points.some(
          (existing) =>
            existing.key === point.key &&
            existing.timestamp === point.timestamp &&
            existing.step === point.step &&
            existing.run_id === runId &&
            Object.is(existing.value, point.value),
        );
        if (!repeated) record.points.push(point);
      }
    },
    forgetExperiment(experimentId) {
      for (const [modelId, record] of models) {
        if (record.info.experiment_id === experimentId) models.delete(modelId);
      }
    },
    clear() {
      models.clear();
    },
  };
}
