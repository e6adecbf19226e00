import { expect, it } from 'vitest';
import { expectCairnError, expectFieldNamed } from '../expect-cairn-error.js';
import { uniqueName } from '../tracking/tracking-context.js';
import type { RegistrySuiteContext } from './registry-context.js';

/** Registered models: create, get, rename, update, delete and their tags. */
export function registeredModelsSuite(context: RegistrySuiteContext): void {
  const { store } = context;

  it('creates a model with tags and a description and reads it back', async () => {
    const name = uniqueName('rm');
    const created = await store().createRegisteredModel({
      name,
      description: 'a model',
      tags: [{ key: 'team', value: 'search' }],
    });
    expect(created).toMatchObject({ name, description: 'a model', latest_versions: [], aliases: [] });
    expect(created.creation_timestamp).toBeGreaterThan(0);
    const read = await store().getRegisteredModel(name);
    expect(read.name).toBe(name);
    expect(read.description).toBe('a model');
    expect(read.tags).toEqual([{ key: 'team', value: 'search' }]);
    expect(read.creation_timestamp).toBe(created.creation_timestamp);
  });

  it('refuses a taken name with RESOURCE_ALREADY_EXISTS and keeps the original', async () => {
    const model = await store().createRegisteredModel({ name: uniqueName('dup'), description: 'first' });
    await expectCairnError(store().createRegisteredModel({ name: model.name }), 'RESOURCE_ALREADY_EXISTS');
    expect((await store().getRegisteredModel(model.name)).description).toBe('first');
  });

  it('rejects empty names and names with / or : naming the field', async () => {
    for (const name of ['', '   ', 'a/b', 'a:b']) {
      const error = await expectCairnError(
        store().createRegisteredModel({ name }),
        'INVALID_PARAMETER_VALUE',
      );
      expectFieldNamed(error, 'name');
    }
  });

  it('answers RESOURCE_DOES_NOT_EXIST for an unknown model on every call', async () => {
    const name = uniqueName('missing');
    await expectCairnError(store().getRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().updateRegisteredModel(name, 'x'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().renameRegisteredModel(name, uniqueName('to')), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().deleteRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().getLatestVersions(name), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(
      store().setRegisteredModelTag(name, { key: 'k', value: 'v' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
    await expectCairnError(store().deleteRegisteredModelTag(name, 'k'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(
      store().createModelVersion({ name, source: 's3://bucket/x' }),
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('updates and clears the description, moving last_updated_timestamp forward', async () => {
    const model = await context.createModel();
    const updated = await store().updateRegisteredModel(model.name, 'new text');
    expect(updated.description).toBe('new text');
    expect(updated.last_updated_timestamp ?? 0).toBeGreaterThanOrEqual(model.last_updated_timestamp ?? 0);
    expect((await store().getRegisteredModel(model.name)).description).toBe('new text');
    const cleared = await store().updateRegisteredModel(model.name, undefined);
    expect(cleared.description ?? '').toBe('');
  });

  it('renames a model carrying its versions, tags and aliases; the old name is gone', async () => {
    const model = await context.createModel('old');
    await context.createVersions(model.name, 2);
    await store().setRegisteredModelTag(model.name, { key: 'k', value: 'v' });
    await store().setRegisteredModelAlias(model.name, 'champion', '2');
    const newName = uniqueName('new');
    const renamed = await store().renameRegisteredModel(model.name, newName);
    expect(renamed.name).toBe(newName);
    await expectCairnError(store().getRegisteredModel(model.name), 'RESOURCE_DOES_NOT_EXIST');
    const read = await store().getRegisteredModel(newName);
    expect(read.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(read.aliases).toEqual([{ alias: 'champion', version: '2' }]);
    const version = await store().getModelVersion(newName, '2');
    expect(version).toMatchObject({ name: newName, version: '2', aliases: ['champion'] });
    expect((await store().getModelVersionByAlias(newName, 'champion')).version).toBe('2');
    // Numbering continues where it was.
    expect((await context.createVersions(newName, 1))[0]?.version).toBe('3');
  });

  it('refuses to rename onto a taken name, leaving both models intact', async () => {
    const first = await context.createModel('a');
    const second = await context.createModel('b');
    await context.createVersions(first.name, 1);
    await expectCairnError(store().renameRegisteredModel(first.name, second.name), 'RESOURCE_ALREADY_EXISTS');
    await expectCairnError(store().renameRegisteredModel(first.name, 'x/y'), 'INVALID_PARAMETER_VALUE');
    expect((await store().getModelVersion(first.name, '1')).name).toBe(first.name);
    expect((await store().getRegisteredModel(second.name)).latest_versions).toEqual([]);
  });

  it('deletes a model with its versions, and the name can be reused from version 1', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 2);
    await store().deleteRegisteredModel(model.name);
    await expectCairnError(store().getRegisteredModel(model.name), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(store().getModelVersion(model.name, '1'), 'RESOURCE_DOES_NOT_EXIST');
    await store().createRegisteredModel({ name: model.name });
    expect((await context.createVersions(model.name, 1))[0]?.version).toBe('1');
    expect((await store().getRegisteredModel(model.name)).tags).toEqual([]);
  });

  it('sets, overwrites and deletes tags; deleting a missing tag is not an error', async () => {
    const model = await context.createModel();
    await store().setRegisteredModelTag(model.name, { key: 'k', value: 'one' });
    await store().setRegisteredModelTag(model.name, { key: 'k', value: 'two' });
    await store().setRegisteredModelTag(model.name, { key: 'other', value: '' });
    const read = await store().getRegisteredModel(model.name);
    expect([...read.tags].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'k', value: 'two' },
      { key: 'other', value: '' },
    ]);
    await store().deleteRegisteredModelTag(model.name, 'k');
    await store().deleteRegisteredModelTag(model.name, 'never-set');
    expect((await store().getRegisteredModel(model.name)).tags).toEqual([{ key: 'other', value: '' }]);
  });

  it('rejects bad tag keys and over-long values naming the field', async () => {
    const model = await context.createModel();
    const emptyKey = await expectCairnError(
      store().setRegisteredModelTag(model.name, { key: '', value: 'v' }),
      'INVALID_PARAMETER_VALUE',
    );
    expectFieldNamed(emptyKey, 'key');
    const longValue = await expectCairnError(
      store().setRegisteredModelTag(model.name, { key: 'k', value: 'x'.repeat(100_001) }),
      'INVALID_PARAMETER_VALUE',
    );
    expectFieldNamed(longValue, 'value');
    expect((await store().getRegisteredModel(model.name)).tags).toEqual([]);
  });
}
