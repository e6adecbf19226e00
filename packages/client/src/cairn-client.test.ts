import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';
import { tempDir } from './test-helpers.js';
import { resolveTrackingUri } from './tracking-uri.js';

describe('resolveTrackingUri', () => {
  it('prefers the explicit URI, then MLFLOW_TRACKING_URI, then sqlite:///mlflow.db', async () => {
    const empty = await tempDir();
    expect(resolveTrackingUri('memory:x', { MLFLOW_TRACKING_URI: 'file:/a' }, empty)).toBe('memory:x');
    expect(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'file:/a' }, empty)).toBe('file:/a');
    expect(resolveTrackingUri(undefined, {}, empty)).toBe('sqlite:///mlflow.db');
    expect(resolveTrackingUri('', { MLFLOW_TRACKING_URI: '' }, empty)).toBe('sqlite:///mlflow.db');
  });

  it('keeps using ./mlruns when it already holds MLflow data, as MLflow does', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'mlruns', 'artifacts-only'), { recursive: true });
    expect(resolveTrackingUri(undefined, {}, cwd)).toBe('sqlite:///mlflow.db');
    await mkdir(join(cwd, 'mlruns', '0'), { recursive: true });
    await writeFile(join(cwd, 'mlruns', '0', 'meta.yaml'), 'name: Default\n');
    expect(resolveTrackingUri(undefined, {}, cwd)).toBe('./mlruns');
  });

  it('with no configuration, writes to ./mlflow.db and ./mlartifacts in the working directory', async () => {
    const cwd = await tempDir();
    const client = createCairnClient({ env: {}, cwd });
    expect(client.trackingUri).toBe('sqlite:///mlflow.db');
    const run = await client.createRun('0', { runName: 'embedded' });
    await client.logText(run.info.run_id, 'hi', 'hello.txt');
    expect(run.info.artifact_uri).toBe(`file://${join(cwd, 'mlartifacts')}/0/${run.info.run_id}/artifacts`);
    await client.close();
    expect((await stat(join(cwd, 'mlflow.db'))).isFile()).toBe(true);
    expect(
      await readFile(join(cwd, 'mlartifacts', '0', run.info.run_id, 'artifacts', 'hello.txt'), 'utf8'),
    ).toBe('hi');
  });

  it('names the URI when no plugin handles it', () => {
    expect(() => createCairnClient({ trackingUri: 'postgresql://db/mlflow', plugins: [] })).toThrow(
      /No tracking store plugin handles 'postgresql:\/\/db\/mlflow'/u,
    );
  });
});

for (const kind of ['file', 'memory'] as const) {
  describe(`CairnClient over the ${kind} store`, () => {
    const open = async () => {
      const root = await tempDir();
      const trackingUri = kind === 'file' ? `file://${join(root, 'mlruns')}` : `memory:client-${root}`;
      return { root, client: createCairnClient({ trackingUri }) };
    };

    it('creates, finds, renames, deletes and restores experiments', async () => {
      const { client } = await open();
      const id = await client.createExperiment('exp', { tags: { owner: 'ada' } });
      expect((await client.getExperimentByName('exp'))?.experiment_id).toBe(id);
      await client.renameExperiment(id, 'renamed');
      await client.setExperimentTag(id, 'k', 'v');
      const experiment = await client.getExperiment(id);
      expect(experiment.name).toBe('renamed');
      expect(experiment.tags).toEqual(
        expect.arrayContaining([
          { key: 'owner', value: 'ada' },
          { key: 'k', value: 'v' },
        ]),
      );
      await client.deleteExperiment(id);
      expect((await client.searchExperiments()).items.map((e) => e.experiment_id)).not.toContain(id);
      expect(
        (await client.searchExperiments({ viewType: 'DELETED_ONLY' })).items.map((e) => e.experiment_id),
      ).toEqual([id]);
      await client.restoreExperiment(id);
      expect((await client.getExperiment(id)).lifecycle_stage).toBe('active');
      await expect(client.getExperiment('123456')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
      await client.close();
    });

    it('logs to runs, searches them and reads the whole metric history across pages', async () => {
      const { client } = await open();
      const experimentId = await client.createExperiment('runs');
      const a = await client.createRun(experimentId, { runName: 'a', tags: { kind: 'x' } });
      const b = await client.createRun(experimentId, { runName: 'b' });
      await client.logParam(a.info.run_id, 'lr', 0.1);
      await client.logMetric(a.info.run_id, 'acc', 0.9, { step: 1 });
      await client.logMetric(b.info.run_id, 'acc', 0.4, { step: 1 });
      await client.setTag(b.info.run_id, 'kind', 'y');
      const metrics = Array.from({ length: 30_000 }, (_, step) => ({
        key: 'loss',
        value: step,
        timestamp: step,
        step,
      }));
      for (let start = 0; start < metrics.length; start += 1000) {
        await client.logBatch(a.info.run_id, { metrics: metrics.slice(start, start + 1000) });
      }
      expect((await client.getMetricHistory(a.info.run_id, 'loss')).length).toBe(30_000);
      const found = await client.searchRuns({
        experimentIds: [experimentId],
        filter: 'metrics.acc > 0.5',
        orderBy: ['metrics.acc DESC'],
      });
      expect(found.items.map((run) => run.info.run_name)).toEqual(['a']);
      await client.setTerminated(b.info.run_id, 'KILLED');
      expect((await client.getRun(b.info.run_id)).info.status).toBe('KILLED');
      await client.deleteRun(b.info.run_id);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toHaveLength(1);
      await client.restoreRun(b.info.run_id);
      expect((await client.searchRuns({ experimentIds: [experimentId] })).items).toHaveLength(2);
      await expect(client.logParam(a.info.run_id, 'lr', 0.2)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
      await client.close();
    });

    it('uploads and downloads artifact trees', async () => {
      const { root, client } = await open();
      const run = await client.createRun('0');
      const source = join(root, 'src');
      await mkdir(join(source, 'deep', 'er'), { recursive: true });
      for (let i = 0; i < 12; i += 1) await writeFile(join(source, 'deep', 'er', `f${i}.txt`), `file ${i}`);
      await writeFile(join(source, 'top.txt'), 'top');
      await client.logArtifacts(run.info.run_id, source, 'tree');
      expect((await client.listArtifacts(run.info.run_id, 'tree')).map((f) => [f.path, f.is_dir])).toEqual([
        ['tree/deep', true],
        ['tree/top.txt', false],
      ]);
      const whole = await client.downloadArtifacts({ runId: run.info.run_id, dstPath: join(root, 'dl') });
      expect(await readFile(join(whole, 'tree', 'deep', 'er', 'f11.txt'), 'utf8')).toBe('file 11');
      const one = await client.downloadArtifacts({ runId: run.info.run_id, artifactPath: 'tree/top.txt' });
      expect(await readFile(one, 'utf8')).toBe('top');
      await expect(
        client.downloadArtifacts({ runId: run.info.run_id, artifactPath: 'nope' }),
      ).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      });
      await expect(client.logArtifact(run.info.run_id, join(root, 'missing.txt'))).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
      await expect(client.logText(run.info.run_id, 'x', '../escape.txt')).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
      await client.close();
    });
  });
}
