import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileUri } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createFileRegistryStore } from './file-registry-store.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: store-file registry.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh)',
  );
}

// MLflow 3.18 refuses a file registry unless MLFLOW_ALLOW_FILE_STORE is set (its "maintenance mode"); with it,
// `MlflowClient(registry_uri="file:...")` opens mlflow.store.model_registry.file_store.FileStore on `<root>/models`.
// `write <uri>` registers models the way a Python user does; `read <uri>` prints everything MLflow sees.
const script = `
import json, os, sys, warnings
warnings.filterwarnings("ignore")
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
from mlflow import MlflowClient
mode, uri = sys.argv[1], sys.argv[2]
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
def version(v):
    return {"name": v.name, "version": str(v.version), "stage": v.current_stage, "source": v.source,
        "run_id": v.run_id, "description": v.description, "tags": v.tags, "aliases": sorted(v.aliases)}
if mode == "write":
    client.create_registered_model("py-model", tags={"team": "ml", "nested/key": "n"}, description="from python")
    client.create_model_version("py-model", "s3://bucket/py/1", run_id="a" * 32, tags={"k": "v"}, description="first")
    client.create_model_version("py-model", "s3://bucket/py/2")
    client.create_model_version("py-model", "s3://bucket/py/3")
    client.set_registered_model_alias("py-model", "champion", "1")
    client.transition_model_version_stage("py-model", "2", "Production")
    client.delete_model_version("py-model", "3")
    client.create_registered_model("py-other")
    print(json.dumps({"ok": True}))
else:
    out = {}
    for m in client.search_registered_models(order_by=["name ASC"]):
        out[m.name] = {"description": m.description, "tags": m.tags, "aliases": m.aliases,
            "latest": sorted([version(v) for v in m.latest_versions], key=lambda v: v["version"]),
            "versions": sorted([version(v) for v in client.search_model_versions(f"name = '{m.name}'")], key=lambda v: v["version"])}
    first = "cairn-model"
    if first in out:
        out["by_alias"] = version(client.get_model_version_by_alias(first, "champion"))
        out["download_uri"] = client.get_model_version_download_uri(first, "1")
        out["by_run"] = [str(v.version) for v in client.search_model_versions(f"run_id = '{'b' * 32}'")]
    print(json.dumps(out))
`;

async function runPython(mode: 'read' | 'write', uri: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(python as string, ['-c', script, mode, uri], {
    env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}

describe.skipIf(python === undefined || python === '')('the file model registry, with MLflow 3.18.0', () => {
  it('Cairn reads the registry MLflow wrote: models, versions, tags, aliases, stages, deletions', {
    timeout: 120_000,
  }, async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'cairn-registry-from-mlflow-')), 'mlruns');
    await runPython('write', pathToFileUri(root));
    const store = createFileRegistryStore({ root });
    const model = await store.getRegisteredModel('py-model');
    expect(model).toMatchObject({ name: 'py-model', description: 'from python' });
    expect(model.tags).toEqual([
      { key: 'nested/key', value: 'n' },
      { key: 'team', value: 'ml' },
    ]);
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions.map((v) => [v.version, v.current_stage])).toEqual([
      ['1', 'None'],
      ['2', 'Production'],
    ]);
    expect(await store.getModelVersion('py-model', '1')).toMatchObject({
      source: 's3://bucket/py/1',
      run_id: 'a'.repeat(32),
      description: 'first',
      tags: [{ key: 'k', value: 'v' }],
      aliases: ['champion'],
      current_stage: 'None',
      status: 'READY',
    });
    expect((await store.getModelVersionByAlias('py-model', 'champion')).version).toBe('1');
    expect((await store.getLatestVersions('py-model', ['production'])).map((v) => v.version)).toEqual(['2']);
    await expect(store.getModelVersion('py-model', '3')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    const search = await store.searchRegisteredModels({ filter: "name LIKE 'py-%'" });
    expect(search.items.map((m) => m.name)).toEqual(['py-model', 'py-other']);
    // MLflow's deleted version 3 keeps its number: Cairn's next one is 4.
    expect((await store.createModelVersion({ name: 'py-model', source: 's3://bucket/py/4' })).version).toBe(
      '4',
    );
  });

  it('MLflow reads the registry Cairn wrote, renamed and with stages archived', {
    timeout: 120_000,
  }, async () => {
    const root = join(await mkdtemp(join(tmpdir(), 'cairn-registry-for-mlflow-')), 'mlruns');
    const store = createFileRegistryStore({ root });
    await store.createRegisteredModel({
      name: 'draft',
      tags: [{ key: 'team', value: 'ml' }],
      description: 'd',
    });
    await store.createModelVersion({
      name: 'draft',
      source: 's3://bucket/c/1',
      runId: 'b'.repeat(32),
      tags: [{ key: 'k', value: 'v' }],
      description: 'first',
    });
    await store.createModelVersion({ name: 'draft', source: 's3://bucket/c/2', runId: 'b'.repeat(32) });
    await store.createModelVersion({ name: 'draft', source: 's3://bucket/c/3' });
    await store.renameRegisteredModel('draft', 'cairn-model');
    await store.transitionModelVersionStage('cairn-model', '1', 'Production', false);
    await store.transitionModelVersionStage('cairn-model', '2', 'production', true);
    await store.setRegisteredModelAlias('cairn-model', 'champion', '2');
    await store.deleteModelVersion('cairn-model', '3');
    const seen = await runPython('read', pathToFileUri(root));
    expect(seen['cairn-model']).toEqual({
      description: 'd',
      tags: { team: 'ml' },
      aliases: { champion: '2' },
      latest: [
        expect.objectContaining({ version: '1', stage: 'Archived' }),
        expect.objectContaining({ version: '2', stage: 'Production', aliases: ['champion'] }),
      ],
      versions: [
        {
          name: 'cairn-model',
          version: '1',
          stage: 'Archived',
          source: 's3://bucket/c/1',
          run_id: 'b'.repeat(32),
          description: 'first',
          tags: { k: 'v' },
          aliases: [],
        },
        expect.objectContaining({ version: '2', stage: 'Production', aliases: ['champion'] }),
      ],
    });
    expect(seen.by_alias).toMatchObject({ version: '2' });
    expect(seen.download_uri).toBe('s3://bucket/c/1');
    expect(seen.by_run).toEqual(['2', '1']);
  });
});
