import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import type { TrackingSuiteContext } from './tracking-context.js';

const unknownModelId = 'm-00000000000000000000000000000000';

/** MLflow 3 logged models: create, get, finalize, delete, tags, params, metrics via log-batch, search. */
export function loggedModelsSuite(context: TrackingSuiteContext): void {
  const { store } = context;

  it('creates a pending model under the experiment artifact location, with params and tags', async () => {
    const run = await context.createRun();
    const experiment = await store().getExperiment(run.info.experiment_id);
    const model = await store().createLoggedModel({
      experimentId: run.info.experiment_id,
      name: 'model',
      sourceRunId: run.info.run_id,
      modelType: 'Agent',
      params: [{ key: 'alpha', value: '0.5' }],
      tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
    });
    expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info).toMatchObject({
      experiment_id: run.info.experiment_id,
      name: 'model',
      status: 'LOGGED_MODEL_PENDING',
      source_run_id: run.info.run_id,
      model_type: 'Agent',
      artifact_uri: `${experiment.artifact_location.replace(/\/+$/u, '')}/models/${model.info.model_id}/artifacts`,
    });
    expect(model.info.creation_timestamp_ms).toBeGreaterThan(0);
    const read = await store().getLoggedModel(model.info.model_id);
    expect(read.info).toMatchObject({ name: 'model', status: 'LOGGED_MODEL_PENDING', model_type: 'Agent' });
    expect(read.data.params).toEqual([{ key: 'alpha', value: '0.5' }]);
    expect(read.info.tags).toEqual([{ key: 'mlflow.source.name', value: 'train.py' }]);
  });

  it('generates a name when none is given', async () => {
    const experimentId = await context.createExperiment('lm');
    const model = await store().createLoggedModel({ experimentId });
    expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/u);
  });

  it('finalizes a model as READY or UPLOAD_FAILED and rejects an unknown status', async () => {
    const experimentId = await context.createExperiment('lm');
    const model = await store().createLoggedModel({ experimentId, name: 'm' });
    const ready = await store().finalizeLoggedModel({
      modelId: model.info.model_id,
      status: 'LOGGED_MODEL_READY',
    });
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');
    expect(ready.info.last_updated_timestamp_ms).toBeGreaterThanOrEqual(model.info.creation_timestamp_ms);
    expect((await store().getLoggedModel(model.info.model_id)).info.status).toBe('LOGGED_MODEL_READY');
    const error = await expectCairnError(
      // @ts-expect-error a status that is not one of MLflow's
      store().finalizeLoggedModel({ modelId: model.info.model_id, status: 'DONE' }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(error.message).toContain('status');
    expect((await store().getLoggedModel(model.info.model_id)).info.status).toBe('LOGGED_MODEL_READY');
  });

  it('answers RESOURCE_DOES_NOT_EXIST (404) for an unknown model on every operation', async () => {
    for (const action of [
      () => store().getLoggedModel(unknownModelId),
      () => store().finalizeLoggedModel({ modelId: unknownModelId, status: 'LOGGED_MODEL_READY' }),
      () => store().deleteLoggedModel(unknownModelId),
      () => store().setLoggedModelTags(unknownModelId, [{ key: 'a', value: 'b' }]),
      () => store().deleteLoggedModelTag(unknownModelId, 'a'),
      () => store().logLoggedModelParams(unknownModelId, [{ key: 'a', value: 'b' }]),
    ]) {
      const error = await expectCairnError(action, 'RESOURCE_DOES_NOT_EXIST');
      expect(error.httpStatus).toBe(404);
    }
  });

  it('refuses a model in an unknown or deleted experiment', async () => {
    await expectCairnError(
      store().createLoggedModel({ experimentId: '987654321', name: 'm' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
    const experimentId = await context.createExperiment('lm');
    await store().deleteExperiment(experimentId);
    await expectCairnError(store().createLoggedModel({ experimentId, name: 'm' }), [
      'INVALID_PARAMETER_VALUE',
      'INVALID_STATE',
    ]);
  });

  it('rejects bad names and over-long param keys, storing nothing', async () => {
    const experimentId = await context.createExperiment('lm');
    // An empty name is not in the list: on the wire it reads as "no name", and MLflow then generates one.
    for (const name of ['a/b', 'a.b', 'a:b', 'a%b', 'a"b', "a'b", 'x'.repeat(501)]) {
      const error = await expectCairnError(
        store().createLoggedModel({ experimentId, name }),
        'INVALID_PARAMETER_VALUE',
      );
      expect(error.message.toLowerCase()).toContain('name');
    }
    const error = await expectCairnError(
      store().createLoggedModel({ experimentId, name: 'ok', params: [{ key: 'k'.repeat(251), value: 'v' }] }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(error.message).toContain('250');
    expect((await store().searchLoggedModels({ experimentIds: [experimentId] })).items).toEqual([]);
  });

  it('sets, overwrites and deletes tags', async () => {
    const experimentId = await context.createExperiment('lm');
    const { model_id: modelId } = (await store().createLoggedModel({ experimentId, name: 'm' })).info;
    await store().setLoggedModelTags(modelId, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await store().setLoggedModelTags(modelId, [{ key: 'a', value: '3' }]);
    const tags = (await store().getLoggedModel(modelId)).info.tags;
    expect([...tags].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
    await store().deleteLoggedModelTag(modelId, 'a');
    expect((await store().getLoggedModel(modelId)).info.tags).toEqual([{ key: 'b', value: '2' }]);
    await expectCairnError(store().deleteLoggedModelTag(modelId, 'a'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(
      store().setLoggedModelTags(modelId, [{ key: '../x', value: '1' }]),
      'INVALID_PARAMETER_VALUE',
    );
    expect((await store().getLoggedModel(modelId)).info.tags).toEqual([{ key: 'b', value: '2' }]);
  });

  it('keeps a long tag value whole (mlflow.modelVersions grows as a JSON list)', async () => {
    const experimentId = await context.createExperiment('lm');
    const { model_id: modelId } = (await store().createLoggedModel({ experimentId, name: 'm' })).info;
    const value = JSON.stringify(
      Array.from({ length: 400 }, (_, i) => ({ name: `model-${i}`, version: String(i) })),
    );
    await store().setLoggedModelTags(modelId, [{ key: 'mlflow.modelVersions', value }]);
    expect((await store().getLoggedModel(modelId)).info.tags).toEqual([
      { key: 'mlflow.modelVersions', value },
    ]);
  });

  it('logs more params after creation', async () => {
    const experimentId = await context.createExperiment('lm');
    const { model_id: modelId } = (
      await store().createLoggedModel({ experimentId, name: 'm', params: [{ key: 'p0', value: '0' }] })
    ).info;
    const more = Array.from({ length: 120 }, (_, i) => ({ key: `p${i + 1}`, value: String(i + 1) }));
    await store().logLoggedModelParams(modelId, more);
    const params = (await store().getLoggedModel(modelId)).data.params;
    expect(params).toHaveLength(121);
    expect(params).toContainEqual({ key: 'p120', value: '120' });
  });

  it('deletes a model: get and search no longer find it, allowDeleted still reads it', async () => {
    const experimentId = await context.createExperiment('lm');
    const { model_id: modelId } = (await store().createLoggedModel({ experimentId, name: 'm' })).info;
    const kept = (await store().createLoggedModel({ experimentId, name: 'kept' })).info.model_id;
    await store().deleteLoggedModel(modelId);
    await expectCairnError(store().getLoggedModel(modelId), 'RESOURCE_DOES_NOT_EXIST');
    expect((await store().getLoggedModel(modelId, { allowDeleted: true })).info.model_id).toBe(modelId);
    const found = await store().searchLoggedModels({ experimentIds: [experimentId] });
    expect(found.items.map((model) => model.info.model_id)).toEqual([kept]);
  });

  it('links a model to its run as an output, and records log-batch metrics carrying model_id', async () => {
    const run = await context.createRun();
    const runId = run.info.run_id;
    const model = await store().createLoggedModel({
      experimentId: run.info.experiment_id,
      name: 'model',
      sourceRunId: runId,
    });
    const modelId = model.info.model_id;
    await store().logOutputs({ runId, models: [{ model_id: modelId, step: 0 }] });
    expect((await store().getRun(runId)).outputs?.model_outputs).toEqual([{ model_id: modelId, step: 0 }]);
    await store().logBatch({
      runId,
      metrics: [
        { key: 'acc', value: 0.5, timestamp: 1000, step: 0, model_id: modelId },
        { key: 'acc', value: 0.9, timestamp: 2000, step: 1, model_id: modelId },
        { key: 'loss', value: 0.1, timestamp: 2000, step: 1 },
      ],
    });
    const metrics = (await store().getLoggedModel(modelId)).data.metrics;
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      key: 'acc',
      value: 0.9,
      step: 1,
      timestamp: 2000,
      run_id: runId,
      model_id: modelId,
    });
    // The run keeps every point as before.
    expect((await store().getRun(runId)).data.metrics.map((m) => m.key).sort()).toEqual(['acc', 'loss']);
  });

  it('searches by name, status, params, tags and metrics, ordered by creation time then model id', async () => {
    const experimentId = await context.createExperiment('lm');
    const run = await context.createRun({ experimentId });
    const make = async (name: string, lr: string, acc: number, ready: boolean) => {
      const model = await store().createLoggedModel({
        experimentId,
        name,
        sourceRunId: run.info.run_id,
        params: [{ key: 'lr', value: lr }],
        tags: [{ key: 'team', value: name.startsWith('a') ? 'alpha' : 'beta' }],
      });
      await store().logBatch({
        runId: run.info.run_id,
        metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0, model_id: model.info.model_id }],
      });
      if (ready)
        await store().finalizeLoggedModel({ modelId: model.info.model_id, status: 'LOGGED_MODEL_READY' });
      return model.info.model_id;
    };
    const a1 = await make('a1', '0.1', 0.7, true);
    const a2 = await make('a2', '0.2', 0.9, false);
    const b1 = await make('b1', '0.1', 0.8, true);
    const otherExperiment = await context.createExperiment('lm-other');
    await store().createLoggedModel({ experimentId: otherExperiment, name: 'a1' });

    const ids = async (
      input: Omit<Parameters<ReturnType<typeof store>['searchLoggedModels']>[0], 'experimentIds'>,
    ) =>
      (await store().searchLoggedModels({ experimentIds: [experimentId], ...input })).items.map(
        (model) => model.info.model_id,
      );
    expect(new Set(await ids({}))).toEqual(new Set([a1, a2, b1]));
    expect(await ids({ filter: "name = 'a1'" })).toEqual([a1]);
    expect(new Set(await ids({ filter: "name LIKE 'a%'" }))).toEqual(new Set([a1, a2]));
    expect(new Set(await ids({ filter: "status = 'READY'" }))).toEqual(new Set([a1, b1]));
    expect(await ids({ filter: "status != 'READY'" })).toEqual([a2]);
    expect(new Set(await ids({ filter: "params.lr = '0.1'" }))).toEqual(new Set([a1, b1]));
    expect(await ids({ filter: "tags.team = 'beta'" })).toEqual([b1]);
    expect(new Set(await ids({ filter: 'metrics.acc >= 0.8' }))).toEqual(new Set([a2, b1]));
    expect(await ids({ filter: `source_run_id = '${run.info.run_id}' AND metrics.acc < 0.75` })).toEqual([
      a1,
    ]);
    expect(await ids({ orderBy: [{ fieldName: 'metrics.acc', ascending: false }] })).toEqual([a2, b1, a1]);
    expect(await ids({ orderBy: [{ fieldName: 'name' }] })).toEqual([a1, a2, b1]);
    const both = await store().searchLoggedModels({
      experimentIds: [experimentId, otherExperiment],
      filter: "name = 'a1'",
    });
    expect(both.items).toHaveLength(2);
  });

  it('scopes metric filters and ordering to the datasets named in the search', async () => {
    const experimentId = await context.createExperiment('lm');
    const run = await context.createRun({ experimentId });
    const runId = run.info.run_id;
    const scored = async (name: string, evalAcc: number, testAcc: number | undefined) => {
      const { model_id: modelId } = (await store().createLoggedModel({ experimentId, name })).info;
      const metrics = [
        {
          key: 'acc',
          value: evalAcc,
          timestamp: 1,
          step: 0,
          model_id: modelId,
          dataset_name: 'eval',
          dataset_digest: 'e1',
        },
      ];
      if (testAcc !== undefined) {
        // A later timestamp: MLflow's logged_model_metrics key has no dataset column, so two datasets'
        // points at one (timestamp, step) cannot both be stored in SQL.
        metrics.push({
          key: 'acc',
          value: testAcc,
          timestamp: 2,
          step: 0,
          model_id: modelId,
          dataset_name: 'test',
          dataset_digest: 't1',
        });
      }
      await store().logBatch({ runId, metrics });
      return modelId;
    };
    const first = await scored('first', 0.9, 0.1);
    const second = await scored('second', 0.2, undefined);
    const unscored = (await store().createLoggedModel({ experimentId, name: 'unscored' })).info.model_id;
    const ids = async (input: Record<string, unknown>) =>
      (await store().searchLoggedModels({ experimentIds: [experimentId], ...input })).items.map(
        (model) => model.info.model_id,
      );
    // Only metrics on `test` count, so `first` (0.1 there) fails and `second` (none there) is left out.
    expect(await ids({ filter: 'metrics.acc > 0.05', datasets: [{ datasetName: 'test' }] })).toEqual([first]);
    expect(await ids({ filter: 'metrics.acc > 0.5', datasets: [{ datasetName: 'test' }] })).toEqual([]);
    expect(
      await ids({ filter: 'metrics.acc > 0.5', datasets: [{ datasetName: 'eval', datasetDigest: 'e1' }] }),
    ).toEqual([first]);
    // With datasets and no metric clause, models without a metric on them are left out.
    expect(new Set(await ids({ datasets: [{ datasetName: 'eval' }] }))).toEqual(new Set([first, second]));
    // Ordering by a metric on one dataset; a model without it sorts last either way.
    expect(
      await ids({ orderBy: [{ fieldName: 'metrics.acc', ascending: true, datasetName: 'eval' }] }),
    ).toEqual([second, first, unscored]);
    expect(
      await ids({ orderBy: [{ fieldName: 'metrics.acc', ascending: false, datasetName: 'eval' }] }),
    ).toEqual([first, second, unscored]);
  });

  it('pages through search results without repeats', async () => {
    const experimentId = await context.createExperiment('lm');
    const created = new Set<string>();
    for (let i = 0; i < 5; i += 1)
      created.add((await store().createLoggedModel({ experimentId, name: `m${i}` })).info.model_id);
    const seen: string[] = [];
    let pageToken: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await store().searchLoggedModels({
        experimentIds: [experimentId],
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      seen.push(...page.items.map((model) => model.info.model_id));
      pageToken = page.nextPageToken;
      if (pageToken === undefined) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(created);
  });

  it('rejects a bad filter, status name, order field or max_results with INVALID_PARAMETER_VALUE', async () => {
    const experimentId = await context.createExperiment('lm');
    for (const input of [
      { filter: 'name = ' },
      { filter: "status = 'DONE'" },
      { filter: "status LIKE 'R%'" },
      { filter: "nope = 'x'" },
      { orderBy: [{ fieldName: 'params.lr' }] },
      { orderBy: [{ fieldName: 'bogus' }] },
      { maxResults: -1 },
      { datasets: [{ datasetName: '' }] },
    ]) {
      await expectCairnError(
        store().searchLoggedModels({ experimentIds: [experimentId], ...input }),
        'INVALID_PARAMETER_VALUE',
      );
    }
  });
}
