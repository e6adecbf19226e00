import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DatasetInput,
  latestMetrics,
  type Metric,
  type ModelInput,
  type ModelOutput,
  type Run,
  type RunInfo,
} from '@cairn/core';
import {
  isMissing,
  isTransient,
  listDirectories,
  readKeyedFiles,
  readTextIfExists,
  readYaml,
  writeYaml,
} from './fs-io.js';
import { metaFile, parseMetricFile, runPaths } from './mlruns-layout.js';

/** MLflow names dataset folders and input folders by an MD5 of their identity. */
export const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The folder id MLflow gives a dataset within an experiment. */
export const datasetId = (name: string, digest: string): string => md5(name + digest);

const entries = (map: ReadonlyMap<string, string>) => [...map].map(([key, value]) => ({ key, value }));

/** Every metric key of a run (keys with `/` are nested files). */
async function metricKeys(metricsDir: string): Promise<string[]> {
  try {
    const found = await readdir(metricsDir, { recursive: true, withFileTypes: true });
    return found
      .filter((entry) => entry.isFile() && !isTransient(entry.name))
      .map((entry) =>
        join(entry.parentPath, entry.name)
          .slice(metricsDir.length + 1)
          .split('\\')
          .join('/'),
      )
      .sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Every stored point of one metric, in file order, with exact repeats (retried appends) dropped. */
export async function readMetricHistory(runDir: string, key: string): Promise<Metric[]> {
  const text = await readTextIfExists(join(runPaths(runDir).metrics, key));
  if (text === undefined) return [];
  const points: Metric[] = [];
  // Exact repeats are rare and adjacent-ish; a keyed set keeps this linear for long histories.
  const seen = new Set<string>();
  for (const point of parseMetricFile(key, text)) {
    const identity = `${point.timestamp} ${point.step} ${Object.is(point.value, -0) ? 0 : point.value}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    points.push(point);
  }
  return points;
}

/** The dataset and model inputs a run's `inputs/` folder records (datasets resolved in its experiment). */
export async function readDatasetInputs(
  runDir: string,
  experimentDir: string,
): Promise<{
  datasets: DatasetInput[];
  models: ModelInput[];
}> {
  const inputsDir = runPaths(runDir).inputs;
  const datasets: DatasetInput[] = [];
  const models: ModelInput[] = [];
  for (const inputId of (await listDirectories(inputsDir)).sort()) {
    const meta = await readYaml(join(inputsDir, inputId, metaFile));
    if (meta === undefined) continue;
    const sourceId = String(meta.source_id ?? '');
    if (meta.source_type === 'MODEL') {
      models.push({ model_id: sourceId });
      continue;
    }
    if (meta.source_type !== 'DATASET') continue;
    const dataset = await readYaml(join(experimentDir, 'datasets', sourceId, metaFile));
    if (dataset === undefined) continue;
    const tags = typeof meta.tags === 'object' && meta.tags !== null ? meta.tags : {};
    const entry: DatasetInput = {
      tags: Object.entries(tags).map(([key, value]) => ({ key, value: String(value) })),
      dataset: {
        name: String(dataset.name ?? ''),
        digest: String(dataset.digest ?? ''),
        source_type: String(dataset.source_type ?? ''),
        source: String(dataset.source ?? ''),
      },
    };
    if (typeof dataset.schema === 'string') entry.dataset.schema = dataset.schema;
    if (typeof dataset.profile === 'string') entry.dataset.profile = dataset.profile;
    datasets.push(entry);
  }
  return { datasets, models };
}

async function readModelOutputs(runDir: string): Promise<ModelOutput[]> {
  const outputsDir = runPaths(runDir).outputs;
  const outputs: ModelOutput[] = [];
  for (const modelId of (await listDirectories(outputsDir)).sort()) {
    const meta = await readYaml(join(outputsDir, modelId, metaFile));
    if (meta === undefined) continue;
    outputs.push({ model_id: String(meta.destination_id ?? modelId), step: Number(meta.step ?? 0) });
  }
  return outputs;
}

/** Reads a whole run: latest metrics, params, tags, inputs and outputs, from its folder. */
export async function readRunData(info: RunInfo, runDir: string, experimentDir: string): Promise<Run> {
  const paths = runPaths(runDir);
  const [params, tags, keys, inputs, outputs] = await Promise.all([
    readKeyedFiles(paths.params),
    readKeyedFiles(paths.tags),
    metricKeys(paths.metrics),
    readDatasetInputs(runDir, experimentDir),
    readModelOutputs(runDir),
  ]);
  const histories = await Promise.all(keys.map((key) => readMetricHistory(runDir, key)));
  return {
    info,
    data: { metrics: latestMetrics(histories.flat()), params: entries(params), tags: entries(tags) },
    inputs: { dataset_inputs: inputs.datasets, model_inputs: inputs.models },
    outputs: { model_outputs: outputs },
  };
}

/** Records a dataset (once per experiment) and its use by a run (once per run), in MLflow's layout. */
export async function writeDatasetInput(
  experimentDir: string,
  runDir: string,
  runId: string,
  input: DatasetInput,
): Promise<void> {
  const id = datasetId(input.dataset.name, input.dataset.digest);
  const datasetMeta = join(experimentDir, 'datasets', id, metaFile);
  if ((await readTextIfExists(datasetMeta)) === undefined) {
    await writeYaml(
      datasetMeta,
      {
        digest: input.dataset.digest,
        name: input.dataset.name,
        profile: input.dataset.profile ?? null,
        schema: input.dataset.schema ?? null,
        source: input.dataset.source,
        source_type: input.dataset.source_type,
      },
      experimentDir,
    );
  }
  const inputMeta = join(runPaths(runDir).inputs, md5(id + runId), metaFile);
  if ((await readTextIfExists(inputMeta)) !== undefined) return;
  await writeYaml(
    inputMeta,
    {
      // MLflow writes the dataset id as the destination too; kept so MLflow reads the folder as its own.
      destination_id: id,
      destination_type: 'RUN',
      source_id: id,
      source_type: 'DATASET',
      tags: Object.fromEntries(input.tags.map((tag) => [tag.key, tag.value])),
    },
    runDir,
  );
}

/** Records an MLflow 3 logged model a run used. */
export async function writeModelInput(runDir: string, runId: string, modelId: string): Promise<void> {
  const inputMeta = join(runPaths(runDir).inputs, md5(modelId + runId), metaFile);
  if ((await readTextIfExists(inputMeta)) !== undefined) return;
  await writeYaml(
    inputMeta,
    {
      destination_id: runId,
      destination_type: 'RUN',
      source_id: modelId,
      source_type: 'MODEL',
      tags: {},
    },
    runDir,
  );
}

/** Records an MLflow 3 logged model a run produced at a step. */
export async function writeModelOutput(runDir: string, runId: string, output: ModelOutput): Promise<void> {
  await writeYaml(
    join(runPaths(runDir).outputs, output.model_id, metaFile),
    {
      destination_id: output.model_id,
      destination_type: 'MODEL_OUTPUT',
      source_id: runId,
      source_type: 'RUN_OUTPUT',
      step: output.step,
      tags: {},
    },
    runDir,
  );
}
