import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileUri } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFileTrackingStore } from './file-tracking-store.js';

const freshRoot = async () => join(await mkdtemp(join(tmpdir(), 'cairn-layout-')), 'mlruns');
const yamlAt = async (...path: string[]) => parse(await readFile(join(...path), 'utf8'));
const textAt = (...path: string[]) => readFile(join(...path), 'utf8');

describe('what the file tracking store puts on disk (MLflow FileStore layout)', () => {
  it('creates nothing until used, then the Default experiment "0"', async () => {
    const root = await freshRoot();
    const store = createFileTrackingStore({ root });
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.getExperiment('0');
    expect(await yamlAt(root, '0', 'meta.yaml')).toMatchObject({
      experiment_id: '0',
      name: 'Default',
      lifecycle_stage: 'active',
      artifact_location: `${pathToFileUri(root)}/0`,
    });
  });

  it('writes experiment and run meta.yaml with the keys and encodings MLflow uses', async () => {
    const root = await freshRoot();
    const store = createFileTrackingStore({ root });
    const experimentId = await store.createExperiment({
      name: 'layout',
      tags: [{ key: 'team/sub', value: 'vision' }],
    });
    expect(experimentId).toMatch(/^[1-9]\d{17}$/u);
    const experiment = await yamlAt(root, experimentId, 'meta.yaml');
    expect(experiment).toMatchObject({
      artifact_location: `${pathToFileUri(root)}/${experimentId}`,
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      name: 'layout',
    });
    expect(experiment.creation_time).toEqual(expect.any(Number));
    expect(experiment.last_update_time).toEqual(expect.any(Number));
    expect(await textAt(root, experimentId, 'tags', 'team', 'sub')).toBe('vision');

    const run = await store.createRun({ experimentId, runName: 'r', userId: 'ada', startTime: 1000 });
    const runId = run.info.run_id;
    await store.updateRun({ runId, status: 'FINISHED', endTime: 2000 });
    const meta = await yamlAt(root, experimentId, runId, 'meta.yaml');
    expect(meta).toEqual({
      artifact_uri: `${pathToFileUri(root)}/${experimentId}/${runId}/artifacts`,
      end_time: 2000,
      entry_point_name: '',
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      run_id: runId,
      run_name: 'r',
      run_uuid: runId,
      source_name: '',
      source_type: 4,
      source_version: '',
      start_time: 1000,
      status: 3,
      tags: [],
      user_id: 'ada',
    });
    expect((await readdir(join(root, experimentId, runId))).sort()).toEqual([
      'artifacts',
      'meta.yaml',
      'metrics',
      'params',
      'tags',
    ]);
  });

  it('stores params, tags and metric lines as files, keys with / as folders', async () => {
    const root = await freshRoot();
    const store = createFileTrackingStore({ root });
    const experimentId = await store.createExperiment({ name: 'files' });
    const run = await store.createRun({ experimentId, runName: 'r' });
    const runDir = join(root, experimentId, run.info.run_id);
    await store.logBatch({
      runId: run.info.run_id,
      params: [{ key: 'opt/lr', value: '0.1' }],
      tags: [{ key: 'stage', value: 'dev' }],
      metrics: [
        { key: 'train/loss', value: 0.5, timestamp: 10, step: 0 },
        { key: 'train/loss', value: Number.NaN, timestamp: 11, step: 1 },
        { key: 'train/loss', value: Number.NEGATIVE_INFINITY, timestamp: 12, step: 2 },
      ],
    });
    await store.logBatch({
      runId: run.info.run_id,
      metrics: [{ key: 'train/loss', value: Number.POSITIVE_INFINITY, timestamp: 13, step: 3 }],
    });
    expect(await textAt(runDir, 'params', 'opt', 'lr')).toBe('0.1');
    expect(await textAt(runDir, 'tags', 'stage')).toBe('dev');
    expect(await textAt(runDir, 'tags', 'mlflow.runName')).toBe('r');
    expect(await textAt(runDir, 'metrics', 'train', 'loss')).toBe(
      '10 0.5 0\n11 nan 1\n12 -inf 2\n13 inf 3\n',
    );
  });

  it('marks deleted runs in place and moves deleted experiments to .trash', async () => {
    const root = await freshRoot();
    const store = createFileTrackingStore({ root });
    const experimentId = await store.createExperiment({ name: 'doomed' });
    const run = await store.createRun({ experimentId });
    await store.deleteRun(run.info.run_id);
    const deletedRun = await yamlAt(root, experimentId, run.info.run_id, 'meta.yaml');
    expect(deletedRun).toMatchObject({ lifecycle_stage: 'deleted', deleted_time: expect.any(Number) });
    await store.restoreRun(run.info.run_id);
    await store.deleteExperiment(experimentId);
    await expect(stat(join(root, experimentId))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await yamlAt(root, '.trash', experimentId, 'meta.yaml')).toMatchObject({
      lifecycle_stage: 'deleted',
    });
    expect(await yamlAt(root, '.trash', experimentId, run.info.run_id, 'meta.yaml')).toMatchObject({
      lifecycle_stage: 'deleted',
    });
    await store.restoreExperiment(experimentId);
    expect(await yamlAt(root, experimentId, 'meta.yaml')).toMatchObject({ lifecycle_stage: 'active' });
    expect((await store.getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
  });

  it('puts new experiments under the artifactRoot it is given', async () => {
    const root = await freshRoot();
    const elsewhere = await mkdtemp(join(tmpdir(), 'cairn-artifacts-'));
    const onS3 = createFileTrackingStore({ root, artifactRoot: 's3://bucket/prefix/' });
    const s3Experiment = await onS3.createExperiment({ name: 's3' });
    expect((await onS3.getExperiment(s3Experiment)).artifact_location).toBe(
      `s3://bucket/prefix/${s3Experiment}`,
    );
    const local = createFileTrackingStore({ root, artifactRoot: elsewhere });
    const localExperiment = await local.createExperiment({ name: 'local' });
    const run = await local.createRun({ experimentId: localExperiment });
    expect(run.info.artifact_uri).toBe(
      `${pathToFileUri(elsewhere)}/${localExperiment}/${run.info.run_id}/artifacts`,
    );
  });
});
