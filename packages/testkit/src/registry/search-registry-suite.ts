import type { Page } from '@cairn/core';
import { expect, it } from 'vitest';
import { expectCairnError } from '../expect-cairn-error.js';
import { uniqueName } from '../tracking/tracking-context.js';
import type { RegistrySuiteContext } from './registry-context.js';

async function collectAll<T>(fetchPage: (pageToken?: string) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    pages.push(page.items);
    token = page.nextPageToken;
  } while (token !== undefined && pages.length < 100);
  return pages;
}

/** Registered-model and model-version search: filter grammar, ordering, paging and bad input. */
export function searchRegistrySuite(context: RegistrySuiteContext): void {
  const { store } = context;

  it('filters registered models by name (=, LIKE, ILIKE, IN) and by tag', async () => {
    const prefix = uniqueName('srch').replace(/-/g, '_');
    for (const suffix of ['alpha', 'beta', 'Gamma']) {
      await store().createRegisteredModel({
        name: `${prefix}_${suffix}`,
        tags: [{ key: 'kind', value: suffix === 'beta' ? 'b' : 'other' }],
      });
    }
    const names = async (filter: string) =>
      (await store().searchRegisteredModels({ filter })).items.map((model) => model.name);
    expect(await names(`name = '${prefix}_alpha'`)).toEqual([`${prefix}_alpha`]);
    expect(await names(`name LIKE '${prefix}%'`)).toEqual([
      `${prefix}_Gamma`,
      `${prefix}_alpha`,
      `${prefix}_beta`,
    ]);
    expect(await names(`name LIKE '${prefix}_g%'`)).toEqual([]);
    expect(await names(`name ILIKE '${prefix}_g%'`)).toEqual([`${prefix}_Gamma`]);
    expect(await names(`name IN ('${prefix}_alpha', '${prefix}_beta')`)).toEqual([
      `${prefix}_alpha`,
      `${prefix}_beta`,
    ]);
    expect(await names(`name LIKE '${prefix}%' AND tags.kind = 'b'`)).toEqual([`${prefix}_beta`]);
    expect(await names(`name LIKE '${prefix}%' AND tags.\`kind\` != 'b'`)).toEqual([
      `${prefix}_Gamma`,
      `${prefix}_alpha`,
    ]);
  });

  it('leaves prompts out unless the filter asks for them, as the MLflow client expects', async () => {
    const prefix = uniqueName('prm').replace(/-/g, '_');
    await store().createRegisteredModel({ name: `${prefix}_model` });
    await store().createRegisteredModel({
      name: `${prefix}_prompt`,
      tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
    });
    const names = async (filter: string) =>
      (await store().searchRegisteredModels({ filter })).items.map((model) => model.name);
    // What MLflow's client sends for every search_registered_models call.
    const clientFilter = `name LIKE '${prefix}%' AND tags.\`mlflow.prompt.is_prompt\` != 'true'`;
    expect(await names(clientFilter)).toEqual([`${prefix}_model`]);
    expect(await names(`name LIKE '${prefix}%'`)).toEqual([`${prefix}_model`]);
    expect(await names(`name LIKE '${prefix}%' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`)).toEqual([
      `${prefix}_prompt`,
    ]);
    const model = await store().getRegisteredModel(`${prefix}_model`);
    await context.createVersions(model.name, 1);
    const versions = await store().searchModelVersions({
      filter: `name = '${model.name}' AND tags.\`mlflow.prompt.is_prompt\` != 'true'`,
    });
    expect(versions.items.map((version) => version.version)).toEqual(['1']);
  });

  it('orders registered models by name and timestamps and pages without loss or repeats', async () => {
    const prefix = uniqueName('ord').replace(/-/g, '_');
    const created: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const name = `${prefix}_${String(index).padStart(2, '0')}`;
      await store().createRegisteredModel({ name });
      created.push(name);
    }
    const filter = `name LIKE '${prefix}%'`;
    const desc = await store().searchRegisteredModels({ filter, orderBy: ['name DESC'] });
    expect(desc.items.map((model) => model.name)).toEqual([...created].reverse());
    const byCreation = await store().searchRegisteredModels({ filter, orderBy: ['creation_timestamp DESC'] });
    const times = byCreation.items.map((model) => model.creation_timestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    await store().updateRegisteredModel(created[0] as string, 'touched');
    const byUpdate = await store().searchRegisteredModels({
      filter,
      orderBy: ['last_updated_timestamp DESC'],
    });
    expect(byUpdate.items[0]?.name).toBe(created[0]);

    const pages = await collectAll((pageToken) =>
      store().searchRegisteredModels({ filter, maxResults: 3, ...(pageToken ? { pageToken } : {}) }),
    );
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((model) => model.name)).toEqual(created);
  });

  it('filters model versions by name, run_id, source_path, version_number and tags', async () => {
    const first = await context.createModel('mvs');
    const second = await context.createModel('mvs');
    const runA = 'a'.repeat(32);
    const runB = 'b'.repeat(32);
    await context.createVersions(first.name, 3, runA);
    await context.createVersions(second.name, 2, runB);
    await store().setModelVersionTag(first.name, '2', { key: 'quality', value: 'good' });
    const found = async (filter: string) =>
      (await store().searchModelVersions({ filter })).items.map(
        (version) => `${version.name}/${version.version}`,
      );
    expect((await found(`name = '${first.name}'`)).sort()).toEqual(
      [1, 2, 3].map((v) => `${first.name}/${v}`),
    );
    expect((await found(`run_id = '${runB}'`)).sort()).toEqual([1, 2].map((v) => `${second.name}/${v}`));
    expect((await found(`run_id IN ('${runA}', '${runB}')`)).length).toBe(5);
    expect(await found(`source_path = 's3://bucket/${first.name}/2'`)).toEqual([`${first.name}/2`]);
    expect((await found(`source_path LIKE 's3://bucket/${second.name}/%'`)).length).toBe(2);
    expect(await found(`name = '${first.name}' AND version_number > 2`)).toEqual([`${first.name}/3`]);
    expect(await found(`name = '${first.name}' AND tags.quality = 'good'`)).toEqual([`${first.name}/2`]);
  });

  it('orders model versions (default: newest update first) and pages them', async () => {
    const model = await context.createModel('mvo');
    await context.createVersions(model.name, 5);
    const filter = `name = '${model.name}'`;
    const byNumber = await store().searchModelVersions({ filter, orderBy: ['version_number ASC'] });
    expect(byNumber.items.map((version) => version.version)).toEqual(['1', '2', '3', '4', '5']);
    await store().updateModelVersion(model.name, '2', 'touched');
    const byDefault = await store().searchModelVersions({ filter });
    expect(byDefault.items[0]?.version).toBe('2');
    const pages = await collectAll((pageToken) =>
      store().searchModelVersions({
        filter,
        orderBy: ['version_number DESC'],
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((version) => version.version)).toEqual(['5', '4', '3', '2', '1']);
  });

  it('rejects bad filters, order keys, page sizes and tokens with INVALID_PARAMETER_VALUE', async () => {
    await context.createModel();
    const bad: Array<() => Promise<unknown>> = [
      () => store().searchRegisteredModels({ filter: "run_id = 'x'" }),
      () => store().searchRegisteredModels({ filter: "name = 'a' OR name = 'b'" }),
      () => store().searchRegisteredModels({ filter: 'name =' }),
      () => store().searchRegisteredModels({ orderBy: ['tags.x'] }),
      () => store().searchRegisteredModels({ orderBy: ['name', 'name DESC'] }),
      () => store().searchRegisteredModels({ maxResults: 1001 }),
      () => store().searchRegisteredModels({ maxResults: 0 }),
      () => store().searchRegisteredModels({ pageToken: 'not-a-token' }),
      () => store().searchModelVersions({ filter: "status = 'READY'" }),
      () => store().searchModelVersions({ filter: "version_number = 'x'" }),
      () => store().searchModelVersions({ orderBy: ['source_path'] }),
      () => store().searchModelVersions({ maxResults: 200_001 }),
    ];
    for (const call of bad) await expectCairnError(call, 'INVALID_PARAMETER_VALUE');
  });
}
