import { expect, it } from 'vitest';
import { expectCairnError, expectFieldNamed } from '../expect-cairn-error.js';
import type { RegistrySuiteContext } from './registry-context.js';

/** Legacy stages (transition, archive, latest per stage) and aliases (set, move, resolve, delete). */
export function stagesSuite(context: RegistrySuiteContext): void {
  const { store } = context;

  it('transitions stages case-insensitively and reports the latest version per stage', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 4);
    expect(
      (await store().transitionModelVersionStage(model.name, '1', 'production', false)).current_stage,
    ).toBe('Production');
    await store().transitionModelVersionStage(model.name, '2', 'Production', false);
    await store().transitionModelVersionStage(model.name, '3', 'STAGING', false);
    const latest = await store().getLatestVersions(model.name);
    expect(latest.map((version) => [version.current_stage, version.version]).sort()).toEqual([
      ['None', '4'],
      ['Production', '2'],
      ['Staging', '3'],
    ]);
    const production = await store().getLatestVersions(model.name, ['production']);
    expect(production.map((version) => version.version)).toEqual(['2']);
    expect((await store().getModelVersion(model.name, '1')).current_stage).toBe('Production');
  });

  it('archives the other versions of the stage when asked', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 3);
    await store().transitionModelVersionStage(model.name, '1', 'Production', false);
    await store().transitionModelVersionStage(model.name, '2', 'Production', false);
    await store().transitionModelVersionStage(model.name, '3', 'Production', true);
    const stages = await Promise.all(
      ['1', '2', '3'].map(
        async (version) => (await store().getModelVersion(model.name, version)).current_stage,
      ),
    );
    expect(stages).toEqual(['Archived', 'Archived', 'Production']);
  });

  it('rejects unknown stages and archiving into an inactive stage, changing nothing', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 2);
    await store().transitionModelVersionStage(model.name, '1', 'Staging', false);
    const error = await expectCairnError(
      store().transitionModelVersionStage(model.name, '2', 'Shipping', false),
      'INVALID_PARAMETER_VALUE',
    );
    expectFieldNamed(error, 'stage');
    await expectCairnError(
      store().transitionModelVersionStage(model.name, '2', 'Archived', true),
      'INVALID_PARAMETER_VALUE',
    );
    await expectCairnError(store().getLatestVersions(model.name, ['Shipping']), 'INVALID_PARAMETER_VALUE');
    expect((await store().getModelVersion(model.name, '1')).current_stage).toBe('Staging');
    expect((await store().getModelVersion(model.name, '2')).current_stage).toBe('None');
  });
}

/** Aliases: set, move, resolve (with `latest`), delete, and removal with their version. */
export function aliasesSuite(context: RegistrySuiteContext): void {
  const { store } = context;

  it('sets, moves and resolves aliases; versions and models list them', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 2);
    await store().setRegisteredModelAlias(model.name, 'champion', '1');
    await store().setRegisteredModelAlias(model.name, 'challenger', '2');
    expect((await store().getModelVersionByAlias(model.name, 'champion')).version).toBe('1');
    await store().setRegisteredModelAlias(model.name, 'champion', '2');
    const resolved = await store().getModelVersionByAlias(model.name, 'champion');
    expect(resolved.version).toBe('2');
    expect([...resolved.aliases].sort()).toEqual(['challenger', 'champion']);
    expect((await store().getModelVersion(model.name, '1')).aliases).toEqual([]);
    const aliases = (await store().getRegisteredModel(model.name)).aliases;
    expect([...aliases].sort((a, b) => a.alias.localeCompare(b.alias))).toEqual([
      { alias: 'challenger', version: '2' },
      { alias: 'champion', version: '2' },
    ]);
  });

  it('resolves `latest` to the highest live version without it being set', async () => {
    const model = await context.createModel();
    await expectCairnError(store().getModelVersionByAlias(model.name, 'latest'), 'RESOURCE_DOES_NOT_EXIST');
    await context.createVersions(model.name, 3);
    await store().deleteModelVersion(model.name, '3');
    expect((await store().getModelVersionByAlias(model.name, 'latest')).version).toBe('2');
  });

  it('deletes aliases, also with their version; a missing alias is INVALID_PARAMETER_VALUE on read', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 2);
    await store().setRegisteredModelAlias(model.name, 'a', '1');
    await store().setRegisteredModelAlias(model.name, 'b', '2');
    await store().deleteRegisteredModelAlias(model.name, 'a');
    await store().deleteRegisteredModelAlias(model.name, 'never-set');
    const missing = await expectCairnError(
      store().getModelVersionByAlias(model.name, 'a'),
      'INVALID_PARAMETER_VALUE',
    );
    expectFieldNamed(missing, 'alias');
    await store().deleteModelVersion(model.name, '2');
    await expectCairnError(store().getModelVersionByAlias(model.name, 'b'), 'INVALID_PARAMETER_VALUE');
    expect((await store().getRegisteredModel(model.name)).aliases).toEqual([]);
  });

  it('rejects reserved and malformed aliases, and aliases to unknown versions or models', async () => {
    const model = await context.createModel();
    await context.createVersions(model.name, 1);
    for (const alias of ['latest', 'LATEST', 'v1', 'V12', 'has space', 'a/b', '']) {
      const error = await expectCairnError(
        store().setRegisteredModelAlias(model.name, alias, '1'),
        'INVALID_PARAMETER_VALUE',
      );
      expectFieldNamed(error, 'alias');
    }
    await expectCairnError(store().setRegisteredModelAlias(model.name, 'ok', '7'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCairnError(
      store().setRegisteredModelAlias(`${model.name}-x`, 'ok', '1'),
      'RESOURCE_DOES_NOT_EXIST',
    );
    await expectCairnError(
      store().getModelVersionByAlias(`${model.name}-x`, 'ok'),
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await store().getRegisteredModel(model.name)).aliases).toEqual([]);
  });
}
