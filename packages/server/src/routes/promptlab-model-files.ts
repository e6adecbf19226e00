import type { Param } from '@cairn/core';
import { stringify } from 'yaml';
import { pythonJsonDumps, pythonValueOf } from '../wire/python-json.js';

/** What a prompt-engineering run saves: the prompt, its parameters, the gateway route and one evaluation. */
export interface PromptlabModelInput {
  runId: string;
  /** When the model was made, MLflow's `%Y-%m-%d %H:%M:%S.%f` in UTC. */
  utcTimeCreated: string;
  modelUuid: string;
  /** The MLflow release the files are written for (its pyfunc loader and `mlflow[gateway]` pin). */
  mlflowVersion: string;
  promptTemplate: string;
  promptParameters: Param[];
  modelRoute: string;
  modelParameters: Param[];
  modelInput: string;
  modelOutput: string | null;
  modelOutputParameters: Param[];
}

/** One file to write, at a run-relative path. */
export interface PromptlabFile {
  path: string;
  content: string;
}

/** Python's `json.dumps(value)`, which MLflow writes into signatures and these files. */
const json = (value: unknown) => pythonJsonDumps(pythonValueOf(value));

/** YAML as PyYAML's `safe_dump` writes MLflow's files: sorted keys, 1.1 quoting (timestamps, `yes`/`no`). */
const yaml = (value: unknown, sortKeys = true) =>
  stringify(value, { version: '1.1', sortMapEntries: sortKeys });

const stringColumn = (name: string) => ({ type: 'string', name, required: true });

/** The evaluation table the UI shows: one row of the prompt's parameters, the prompt, the output and its metrics. */
function evalResultsTable(input: PromptlabModelInput): string {
  return json({
    columns: [
      ...input.promptParameters.map((param) => param.key),
      'prompt',
      'output',
      ...input.modelOutputParameters.map((param) => param.key),
    ],
    data: [
      [
        ...input.promptParameters.map((param) => param.value),
        input.modelInput,
        input.modelOutput,
        ...input.modelOutputParameters.map((param) => param.value),
      ],
    ],
  });
}

/**
 * The files MLflow's server writes for a prompt-engineering run: `eval_results_table.json` and a pyfunc
 * model under `model/` that MLflow's `mlflow.prompt.promptlab_model` loads (MLmodel, parameters.yaml, the
 * input example, and the environment pinning `mlflow[gateway]`). MLflow pins the Python it runs on; a Node
 * server has none, so the environment leaves Python unpinned and MLflow resolves the loader's own.
 */
export function promptlabModelFiles(input: PromptlabModelInput): PromptlabFile[] {
  const requirement = `mlflow[gateway]==${input.mlflowVersion}`;
  const example = { inputs: input.promptParameters.map((param) => param.value) };
  const mlmodel = {
    artifact_path: 'model',
    flavors: {
      python_function: {
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.prompt.promptlab_model',
        parameters_path: 'parameters.yaml',
      },
    },
    is_signature_from_type_hint: false,
    mlflow_version: input.mlflowVersion,
    model_id: null,
    model_uuid: input.modelUuid,
    prompts: null,
    run_id: input.runId,
    saved_input_example_info: {
      artifact_path: 'input_example.json',
      serving_input_path: 'serving_input_example.json',
      type: 'json_object',
    },
    signature: {
      inputs: json(input.promptParameters.map((param) => stringColumn(param.key))),
      outputs: json([stringColumn('output')]),
      params: null,
    },
    type_hint_from_example: false,
    utc_time_created: input.utcTimeCreated,
  };
  const parameters = {
    model_parameters: Object.fromEntries(input.modelParameters.map((param) => [param.key, param.value])),
    model_route: input.modelRoute,
    prompt_parameters: Object.fromEntries(input.promptParameters.map((param) => [param.key, param.value])),
    prompt_template: input.promptTemplate,
  };
  return [
    { path: 'model/MLmodel', content: yaml(mlmodel) },
    { path: 'model/parameters.yaml', content: yaml(parameters) },
    { path: 'model/input_example.json', content: json(example) },
    {
      path: 'model/serving_input_example.json',
      content: JSON.stringify({ inputs: example }, null, 2),
    },
    {
      path: 'model/conda.yaml',
      content: yaml({
        channels: ['conda-forge'],
        dependencies: ['pip', { pip: [requirement] }],
        name: 'mlflow-env',
      }),
    },
    {
      path: 'model/python_env.yaml',
      content: yaml(
        { build_dependencies: ['pip', 'setuptools', 'wheel'], dependencies: ['-r requirements.txt'] },
        false,
      ),
    },
    { path: 'model/requirements.txt', content: requirement },
    { path: 'eval_results_table.json', content: evalResultsTable(input) },
  ];
}
