import { randomUUID } from 'node:crypto';
import {
  type ArtifactStore,
  invalidParameter,
  type RunStatus,
  systemTags,
  type TrackingStore,
} from '@cairn/core';
import { type CreatePromptlabRunRequest, createPromptlabRunRequest } from '@cairn/core/wire';
import type { FastifyInstance } from 'fastify';
import { appendLogModelHistory } from './log-model-history.js';
import { promptlabModelFiles } from './promptlab-model-files.js';
import { parseRequest, sendJson } from './route-table.js';

/** The `mlflow.loggedArtifacts` value MLflow writes (Python's JSON spacing): the UI opens this table. */
const loggedArtifactsValue = '[{"path": "eval_results_table.json", "type": "table"}]';

/** The fields MLflow requires, in the order it asks for them. */
const requiredFields = [
  'experiment_id',
  'prompt_template',
  'prompt_parameters',
  'model_route',
  'model_input',
  'mlflow_version',
] as const;

/** MLflow's `%Y-%m-%d %H:%M:%S.%f` in UTC (microseconds, of which a Date knows the milliseconds). */
const utcTimeCreated = (date: Date) => `${date.toISOString().replace('T', ' ').slice(0, 23)}000`;

/** The request with every required field present; MLflow refuses a falsy one (`''`, `[]`, `0`) too. */
function checkRequired(input: CreatePromptlabRunRequest) {
  for (const field of requiredFields) {
    const value = input[field];
    if (!value || (Array.isArray(value) && value.length === 0)) {
      throw invalidParameter(`CreatePromptlabRun request must specify ${field}.`, { field });
    }
  }
  return input as CreatePromptlabRunRequest & {
    experiment_id: string | number;
    prompt_template: string;
    prompt_parameters: NonNullable<CreatePromptlabRunRequest['prompt_parameters']>;
    model_route: string;
    model_input: string;
    mlflow_version: string;
  };
}

/**
 * Registers `POST /ajax-api/2.0/mlflow/runs/create-promptlab-run` (the UI's prompt engineering), which
 * makes what MLflow's server makes: a run with the model parameters, `model_route` and `prompt_template`
 * as params, `mlflow.loggedArtifacts` and `mlflow.runSourceType=PROMPT_ENGINEERING` tags, the model in
 * `mlflow.log-model.history`, and the files of {@link promptlabModelFiles}; then it ends the run FINISHED.
 * As in MLflow, a failure after the run exists (a param too long, storage down) ends it FAILED and still
 * answers 200 with the run, so the UI shows what happened. `mlflowVersion` is the release the model is
 * written for (MLflow's server writes its own).
 */
export function registerPromptlabRunRoute(
  app: FastifyInstance,
  store: TrackingStore,
  openArtifacts: (artifactUri: string) => Promise<ArtifactStore>,
  mlflowVersion: string,
): void {
  app.post(
    '/ajax-api/2.0/mlflow/runs/create-promptlab-run',
    { config: { json: true } },
    async (request, reply) => {
      const input = checkRequired(parseRequest(createPromptlabRunRequest, request));
      const created = await store.createRun({
        experimentId: String(input.experiment_id),
        userId: input.user_id || 'unknown',
        startTime: input.start_time ?? Date.now(),
        ...(input.run_name ? { runName: input.run_name } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
      });
      const runId = created.info.run_id;
      let status: RunStatus = 'FINISHED';
      try {
        await store.logBatch({
          runId,
          params: [
            ...(input.model_parameters ?? []),
            { key: 'model_route', value: input.model_route },
            { key: 'prompt_template', value: input.prompt_template },
          ],
          tags: [
            { key: systemTags.loggedArtifacts, value: loggedArtifactsValue },
            { key: systemTags.runSourceType, value: 'PROMPT_ENGINEERING' },
          ],
        });
        const madeAt = new Date();
        const modelUuid = randomUUID().replaceAll('-', '');
        // What MLflow's record_logged_model keeps of the model: no flavors yet, as it records before saving.
        await appendLogModelHistory(store, runId, {
          run_id: runId,
          artifact_path: 'model',
          utc_time_created: utcTimeCreated(madeAt),
          model_uuid: modelUuid,
          flavors: {},
        });
        const artifacts = await openArtifacts(created.info.artifact_uri);
        for (const file of promptlabModelFiles({
          runId,
          utcTimeCreated: utcTimeCreated(madeAt),
          modelUuid,
          mlflowVersion,
          promptTemplate: input.prompt_template,
          promptParameters: input.prompt_parameters,
          modelRoute: input.model_route,
          modelParameters: input.model_parameters ?? [],
          modelInput: input.model_input,
          modelOutput: input.model_output ?? null,
          modelOutputParameters: input.model_output_parameters ?? [],
        })) {
          await artifacts.put(file.path, file.content);
        }
      } catch (error) {
        request.log.warn({ err: error, runId }, 'create-promptlab-run failed after creating the run');
        status = 'FAILED';
      }
      await store.updateRun({ runId, status, endTime: Date.now() });
      return sendJson(reply, { run: await store.getRun(runId) });
    },
  );
}
