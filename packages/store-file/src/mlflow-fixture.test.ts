import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric, Run, TrackingStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArtifactStore } from './file-artifact-store.js';
import { createFileTrackingStore } from './file-tracking-store.js';

// The tree and what MLflow itself read back from it, both made by __fixtures__/generate.py with mlflow 3.18.0.
const fixtures = fileURLToPath(new URL('../__fixtures__/', import.meta.url));
const treeName = 'mlruns-mlflow-3.18.0';

type Wire = number | 'NaN' | 'Infinity' | '-Infinity';
interface ExpectedMetric {
  key: string;
  value: Wire;
  timestamp: number;
  step: number;
}
interface ExpectedRun {
  info: {
    run_id: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time: number | null;
    artifact_uri_suffix: string;
    lifecycle_stage: string;
  };
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: ExpectedMetric[];
  history: Record<string, ExpectedMetric[]>;
  dataset_inputs: {
    tags: Record<string, string>;
    name: string;
    digest: string;
    source_type: string;
    source: string;
    schema: string | null;
    profile: string | null;
  }[];
}
interface ExpectedExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  artifact_location_suffix: string;
  creation_time: number;
  last_update_time: number;
  tags: Record<string, string>;
  runs: ExpectedRun[];
}

const wire = (value: number): Wire =>
  Number.isNaN(value)
    ? 'NaN'
    : value === Number.POSITIVE_INFINITY
      ? 'Infinity'
      : value === Number.NEGATIVE_INFINITY
        ? '-Infinity'
        : value;
const metricView = (metric: Metric): ExpectedMetric => ({
  key: metric.key,
  value: wire(metric.value),
  timestamp: metric.timestamp,
  step: metric.step,
});
const byTimeThenStep = (left: ExpectedMetric, right: ExpectedMetric) =>
  left.timestamp - right.timestamp || left.step - right.step;
const record = (entries: { key: string; value: string }[]) =>
  Object.fromEntries(
    entries.map((entry) => [entry.key, entry.value]).sort(([a = ''], [b = '']) => (a < b ? -1 : 1)),
  );

describe('reads an mlruns tree written by MLflow 3.18.0, field for field', () => {
  let root: string;
  let store: TrackingStore;
  let expected: { mlflow_version: string; experiments: ExpectedExperiment[] };

  beforeAll(async () => {
    // A copy, so nothing a test does can change the committed fixture.
    root = join(await mkdtemp(join(tmpdir(), 'cairn-fixture-')), treeName);
    await cp(join(fixtures, treeName), root, { recursive: true });
    store = createFileTrackingStore({ root });
    expected = JSON.parse(await readFile(join(fixtures, `${treeName}.expected.json`), 'utf8'));
  });
  afterAll(() => store.close());

  it('was made by MLflow 3.18.0', () => {
    expect(expected.mlflow_version).toBe('3.18.0');
  });

  it('finds every experiment, active and deleted, with its fields and tags', async () => {
    const page = await store.searchExperiments({ viewType: 'ALL', orderBy: ['experiment_id ASC'] });
    expect(page.items.map((e) => e.experiment_id)).toEqual(expected.experiments.map((e) => e.experiment_id));
    for (const want of expected.experiments) {
      const got = await store.getExperiment(want.experiment_id);
      expect(got.name).toBe(want.name);
      expect(got.lifecycle_stage).toBe(want.lifecycle_stage);
      expect(got.creation_time).toBe(want.creation_time);
      expect(got.last_update_time).toBe(want.last_update_time);
      expect(got.artifact_location.endsWith(`/${treeName}${want.artifact_location_suffix}`)).toBe(true);
      expect(record(got.tags)).toEqual(want.tags);
    }
  });

  it('honours view types the way MLflow does', async () => {
    const active = await store.searchExperiments({});
    const deleted = await store.searchExperiments({ viewType: 'DELETED_ONLY' });
    const stage = (stageName: string) =>
      expected.experiments.filter((e) => e.lifecycle_stage === stageName).map((e) => e.experiment_id);
    expect(active.items.map((e) => e.experiment_id).sort()).toEqual(stage('active').sort());
    expect(deleted.items.map((e) => e.experiment_id)).toEqual(stage('deleted'));
    // Runs too: the run MLflow deleted in a live experiment shows only where deleted runs are asked for.
    for (const experiment of expected.experiments.filter((e) => e.lifecycle_stage === 'active')) {
      const runs = (stageName: string) =>
        experiment.runs.filter((run) => run.info.lifecycle_stage === stageName).map((run) => run.info.run_id);
      const search = async (runViewType: 'ACTIVE_ONLY' | 'DELETED_ONLY') =>
        (await store.searchRuns({ experimentIds: [experiment.experiment_id], runViewType })).items
          .map((run) => run.info.run_id)
          .sort();
      expect(await search('ACTIVE_ONLY')).toEqual(runs('active').sort());
      expect(await search('DELETED_ONLY')).toEqual(runs('deleted').sort());
    }
    expect(
      expected.experiments.flatMap((e) => e.runs).filter((r) => r.info.lifecycle_stage === 'deleted'),
    ).toHaveLength(2);
  });

  it('reads every run: info, params, tags, latest metrics, full histories and dataset inputs', async () => {
    let checked = 0;
    for (const experiment of expected.experiments) {
      const page = await store.searchRuns({
        experimentIds: [experiment.experiment_id],
        runViewType: 'ALL',
        orderBy: ['attributes.run_name ASC'],
      });
      expect(page.items.map((run) => run.info.run_id)).toEqual(experiment.runs.map((run) => run.info.run_id));
      for (const want of experiment.runs) {
        const run: Run = await store.getRun(want.info.run_id);
        const { artifact_uri_suffix, end_time, ...info } = want.info;
        expect(run.info).toMatchObject({ ...info, run_uuid: info.run_id });
        expect(run.info.end_time ?? null).toBe(end_time);
        expect(run.info.artifact_uri.endsWith(`/${treeName}${artifact_uri_suffix}`)).toBe(true);
        expect(record(run.data.params)).toEqual(want.params);
        expect(record(run.data.tags)).toEqual(want.tags);
        const latest = run.data.metrics.map(metricView).sort((a, b) => (a.key < b.key ? -1 : 1));
        expect(latest).toEqual(want.metrics);
        for (const [key, points] of Object.entries(want.history)) {
          const history = await store.getMetricHistory({ runId: want.info.run_id, metricKey: key });
          expect(history.items.map(metricView)).toEqual([...points].sort(byTimeThenStep));
        }
        expect(
          run.inputs.dataset_inputs.map((input) => ({
            tags: record(input.tags),
            name: input.dataset.name,
            digest: input.dataset.digest,
            source_type: input.dataset.source_type,
            source: input.dataset.source,
            schema: input.dataset.schema ?? null,
            profile: input.dataset.profile ?? null,
          })),
        ).toEqual(want.dataset_inputs);
        checked += 1;
      }
    }
    expect(checked).toBe(4);
  });

  it('keeps NaN and +/-Infinity in a history written by Python', async () => {
    const parent = expected.experiments
      .flatMap((e) => e.runs)
      .find((run) => run.info.run_name === 'parent-run');
    const history = await store.getMetricHistory({ runId: parent?.info.run_id ?? '', metricKey: 'odd' });
    expect(history.items.map((point) => point.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -Infinity,
    ]);
  });

  it('reads the artifacts MLflow logged through the local artifact store', async () => {
    const parent = expected.experiments
      .flatMap((e) => e.runs)
      .find((run) => run.info.run_name === 'parent-run');
    const run = await store.getRun(parent?.info.run_id ?? '');
    const artifacts = createFileArtifactStore({
      root: join(run.info.artifact_uri.replace(/^file:\/\/.*?\/mlruns-mlflow-3\.18\.0/u, root)),
    });
    expect(await artifacts.list('notes')).toEqual([
      { path: 'notes/hello.txt', is_dir: false, file_size: 17 },
    ]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of await artifacts.get('notes/hello.txt')) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('hello from mlflow');
  });

  it('writes into the MLflow tree without disturbing what was there', async () => {
    const experimentId = expected.experiments[1]?.experiment_id ?? '';
    const run = await store.createRun({ experimentId, runName: 'cairn-run' });
    await store.logBatch({
      runId: run.info.run_id,
      metrics: [{ key: 'loss', value: 0.1, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: '0.5' }],
    });
    const page = await store.searchRuns({ experimentIds: [experimentId], filter: "params.lr = '0.01'" });
    expect(page.items.map((r) => r.info.run_name)).toEqual(['parent-run']);
  });
});
