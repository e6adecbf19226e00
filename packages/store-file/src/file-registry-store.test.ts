import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCairnError } from '@cairn/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFileRegistryStore } from './file-registry-store.js';

const freshRoot = () => join(mkdtempSync(join(tmpdir(), 'cairn-file-registry-')), 'mlruns');
const readMeta = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('file registry store: the mlruns/models layout', () => {
  it("writes MLflow 3.18's files: model and version meta.yaml, tags/, aliases/, version tags", async () => {
    const root = freshRoot();
    const store = createFileRegistryStore({ root });
    await store.createRegisteredModel({
      name: 'churn model',
      tags: [{ key: 'team/a', value: 'x' }],
      description: 'd',
    });
    await store.createModelVersion({
      name: 'churn model',
      source: 's3://b/1',
      runId: 'a'.repeat(32),
      tags: [{ key: 'k', value: 'v' }],
    });
    await store.setRegisteredModelAlias('churn model', 'champion', '1');
    const dir = join(root, 'models', 'churn model');
    expect(readdirSync(dir).sort()).toEqual(['aliases', 'meta.yaml', 'tags', 'version-1']);
    expect(readFileSync(join(dir, 'tags', 'team', 'a'), 'utf8')).toBe('x');
    expect(readFileSync(join(dir, 'aliases', 'champion'), 'utf8')).toBe('1');
    expect(readFileSync(join(dir, 'version-1', 'tags', 'k'), 'utf8')).toBe('v');
    const model = readMeta(join(dir, 'meta.yaml'));
    expect(Object.keys(model)).toEqual([...Object.keys(model)].sort());
    expect(model).toMatchObject({
      name: 'churn model',
      description: 'd',
      aliases: { champion: '1' },
      workspace: 'default',
    });
    expect(readMeta(join(dir, 'version-1', 'meta.yaml'))).toMatchObject({
      name: 'churn model',
      version: 1,
      current_stage: 'None',
      status: 'READY',
      source: 's3://b/1',
      storage_location: 's3://b/1',
      run_id: 'a'.repeat(32),
      model_id: null,
    });
    // Nothing transient is left behind in the tree or the root besides the registry.
    expect(readdirSync(root)).toEqual(['models']);
  });

  it('reads a tree MLflow wrote: int versions, null fields, alias files, stale aliases in meta.yaml', async () => {
    const root = freshRoot();
    const dir = join(root, 'models', 'm');
    mkdirSync(join(dir, 'version-1', 'tags'), { recursive: true });
    mkdirSync(join(dir, 'version-2'), { recursive: true });
    mkdirSync(join(dir, 'aliases'), { recursive: true });
    writeFileSync(
      join(dir, 'meta.yaml'),
      "aliases:\n  old: '2'\ncreation_timestamp: 10\ndeployment_job_id: null\ndescription: null\nlast_updated_timestamp: 20\nname: m\n",
    );
    const version = (n: number, stage: string) =>
      `creation_timestamp: ${n}\ncurrent_stage: ${stage}\ndescription: null\nlast_updated_timestamp: ${n}\nmodel_id: null\nname: m\nrun_id: null\nrun_link: null\nsource: s3://b/${n}\nstatus: READY\nstatus_message: null\nstorage_location: s3://b/${n}\nuser_id: null\nversion: ${n}\n`;
    writeFileSync(join(dir, 'version-1', 'meta.yaml'), version(1, 'Production'));
    writeFileSync(join(dir, 'version-1', 'tags', 'k'), 'v');
    writeFileSync(join(dir, 'version-2', 'meta.yaml'), version(2, 'Deleted_Internal'));
    writeFileSync(join(dir, 'aliases', 'champion'), '1');
    const store = createFileRegistryStore({ root });
    const model = await store.getRegisteredModel('m');
    expect(model).toMatchObject({ name: 'm', creation_timestamp: 10, last_updated_timestamp: 20, tags: [] });
    expect(model.description).toBeUndefined();
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions.map((v) => [v.version, v.current_stage, v.aliases])).toEqual([
      ['1', 'Production', ['champion']],
    ]);
    expect((await store.getModelVersion('m', '1')).tags).toEqual([{ key: 'k', value: 'v' }]);
    await expectCairnError(store.getModelVersion('m', '2'), 'RESOURCE_DOES_NOT_EXIST');
    // The deleted version's number stays taken.
    expect((await store.createModelVersion({ name: 'm', source: 's3://b/3' })).version).toBe('3');
  });

  it('keeps a deleted version as a Deleted_Internal folder and drops its aliases', async () => {
    const root = freshRoot();
    const store = createFileRegistryStore({ root });
    await store.createRegisteredModel({ name: 'm' });
    await store.createModelVersion({ name: 'm', source: 's3://b/1' });
    await store.setRegisteredModelAlias('m', 'a', '1');
    await store.deleteModelVersion('m', '1');
    expect(readMeta(join(root, 'models', 'm', 'version-1', 'meta.yaml')).current_stage).toBe(
      'Deleted_Internal',
    );
    expect(readdirSync(join(root, 'models', 'm', 'aliases'))).toEqual([]);
    await expectCairnError(store.getModelVersionByAlias('m', 'a'), 'INVALID_PARAMETER_VALUE');
  });

  it('renames a model with its versions, tags and aliases, and deletes a model whole', async () => {
    const root = freshRoot();
    const store = createFileRegistryStore({ root });
    await store.createRegisteredModel({ name: 'old', tags: [{ key: 't', value: '1' }] });
    await store.createModelVersion({ name: 'old', source: 's3://b/1' });
    await store.setRegisteredModelAlias('old', 'champion', '1');
    const renamed = await store.renameRegisteredModel('old', 'new');
    expect(renamed).toMatchObject({
      name: 'new',
      tags: [{ key: 't', value: '1' }],
      aliases: [{ alias: 'champion', version: '1' }],
    });
    expect(readMeta(join(root, 'models', 'new', 'version-1', 'meta.yaml')).name).toBe('new');
    expect(readdirSync(join(root, 'models'))).toEqual(['new']);
    await store.deleteRegisteredModel('new');
    expect(readdirSync(join(root, 'models'))).toEqual([]);
    expect(readdirSync(root)).toEqual(['models']);
    await expectCairnError(store.getRegisteredModel('new'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it("refuses names MLflow's FileStore refuses, writing nothing", async () => {
    const root = freshRoot();
    const store = createFileRegistryStore({ root });
    for (const name of ['a%b', 'a/b', 'a\\b', '..', '']) {
      const error = await expectCairnError(store.createRegisteredModel({ name }), 'INVALID_PARAMETER_VALUE');
      expect(error.details?.field).toBe('name');
    }
    await store.createRegisteredModel({ name: 'ok' });
    await expectCairnError(store.renameRegisteredModel('ok', 'b%c'), 'INVALID_PARAMETER_VALUE');
    expect(readdirSync(join(root, 'models'))).toEqual(['ok']);
  });

  it('rejects a bad tag before anything is written: no half-created model or version', async () => {
    const root = freshRoot();
    const store = createFileRegistryStore({ root });
    await expectCairnError(
      store.createRegisteredModel({
        name: 'm',
        tags: [
          { key: 'ok', value: 'v' },
          { key: '', value: 'v' },
        ],
      }),
      'INVALID_PARAMETER_VALUE',
    );
    await expectCairnError(store.getRegisteredModel('m'), 'RESOURCE_DOES_NOT_EXIST');
    await store.createRegisteredModel({ name: 'm' });
    await expectCairnError(
      store.createModelVersion({ name: 'm', source: 's', tags: [{ key: 'k', value: 'x'.repeat(100_001) }] }),
      'INVALID_PARAMETER_VALUE',
    );
    expect(readdirSync(join(root, 'models', 'm')).filter((name) => name.startsWith('version-'))).toEqual([]);
    expect((await store.createModelVersion({ name: 'm', source: 's' })).version).toBe('1');
  });

  it('gives every version a distinct number when many are created at once', async () => {
    const root = freshRoot();
    const first = createFileRegistryStore({ root });
    const second = createFileRegistryStore({ root });
    await first.createRegisteredModel({ name: 'm' });
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 === 0 ? first : second).createModelVersion({ name: 'm', source: `s3://b/${index}` }),
      ),
    );
    expect(created.map((version) => Number(version.version)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
  });
});
