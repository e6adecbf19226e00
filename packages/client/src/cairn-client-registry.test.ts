import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCairnClient } from './cairn-client.js';
import { tempDir } from './test-helpers.js';

const backends = [
  ['file', () => './mlruns'],
  ['sqlite', () => 'sqlite:///registry.db'],
] as const;

describe.each(backends)("CairnClient's registry calls on a %s store", (_name, uri) => {
  it('creates, reads, searches, tags, aliases, stages, renames and deletes as MlflowClient does', async () => {
    const cwd = await tempDir();
    await using client = createCairnClient({ trackingUri: uri(), cwd, env: {} });
    const created = await client.createRegisteredModel('churn', { tags: { team: 'ml' }, description: 'd' });
    expect(created).toMatchObject({ name: 'churn', description: 'd', tags: [{ key: 'team', value: 'ml' }] });
    await expect(client.createRegisteredModel('churn')).rejects.toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
    });
    const v1 = await client.createModelVersion('churn', 's3://bucket/1', {
      runId: 'a'.repeat(32),
      tags: { k: 'v' },
    });
    const v2 = await client.createModelVersion('churn', 's3://bucket/2', { description: 'second' });
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    await client.setRegisteredModelTag('churn', 'stage', 'beta');
    await client.setModelVersionTag('churn', 2, 'q', 'good');
    await client.deleteModelVersionTag('churn', '1', 'k');
    await client.setRegisteredModelAlias('churn', 'champion', 2);
    expect((await client.getModelVersionByAlias('churn', 'champion')).version).toBe('2');
    await client.transitionModelVersionStage('churn', 1, 'Production');
    const staged = await client.transitionModelVersionStage('churn', 2, 'production', true);
    expect(staged.current_stage).toBe('Production');
    expect((await client.getModelVersion('churn', 1)).current_stage).toBe('Archived');
    expect((await client.getLatestVersions('churn', ['Production'])).map((v) => v.version)).toEqual(['2']);
    expect((await client.updateModelVersion('churn', 1, 'first')).description).toBe('first');
    expect((await client.updateRegisteredModel('churn', 'better')).description).toBe('better');
    expect(await client.getModelVersionDownloadUri('churn', 1)).toBe('s3://bucket/1');
    const found = await client.searchModelVersions({ filterString: `run_id = '${'a'.repeat(32)}'` });
    expect(found.items.map((v) => [v.name, v.version, v.tags])).toEqual([['churn', '1', []]]);
    await client.createRegisteredModel('other');
    const page = await client.searchRegisteredModels({
      filterString: "name LIKE '%r%'",
      orderBy: ['name DESC'],
      maxResults: 1,
    });
    expect(page.items.map((m) => m.name)).toEqual(['other']);
    expect(page.nextPageToken).toBeDefined();
    await client.deleteRegisteredModelAlias('churn', 'champion');
    await client.deleteRegisteredModelTag('churn', 'stage');
    const renamed = await client.renameRegisteredModel('churn', 'churn-v2');
    expect(renamed).toMatchObject({ name: 'churn-v2', aliases: [], tags: [{ key: 'team', value: 'ml' }] });
    await client.deleteModelVersion('churn-v2', 1);
    await expect(client.getModelVersion('churn-v2', 1)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await client.deleteRegisteredModel('churn-v2');
    await expect(client.getRegisteredModel('churn-v2')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });

  it('registers a model from runs:/ and models:/ URIs, and copies a version with its files', async () => {
    const cwd = await tempDir();
    await using client = createCairnClient({ trackingUri: uri(), cwd, env: {} });
    const run = await client.createRun('0');
    const runId = run.info.run_id;
    const local = join(cwd, 'MLmodel');
    await writeFile(local, 'flavors: {}\n');
    await client.logArtifact(runId, local, 'model');
    const fromRun = await client.registerModel(`runs:/${runId}/model`, 'm', { tags: { from: 'run' } });
    expect(fromRun).toMatchObject({
      name: 'm',
      version: '1',
      run_id: runId,
      source: `${run.info.artifact_uri}/model`,
      tags: [{ key: 'from', value: 'run' }],
    });
    const copy = await client.registerModel('models:/m/1', 'm');
    expect(copy).toMatchObject({ version: '2', source: 'models:/m/1', run_id: runId });
    expect(await client.getModelVersionDownloadUri('m', 2)).toBe(`${run.info.artifact_uri}/model`);
  });
});
