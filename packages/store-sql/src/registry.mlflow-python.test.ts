import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryStore } from '@cairn/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqlRegistryStore } from './sql-registry-store.js';
import { createServerDatabase, type ServerDatabase } from './testing/server-database.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
const hasPython = python !== undefined && python !== '';
if (!hasPython) {
  console.log(
    'SKIPPED: store-sql MLflow 3.18.0 and Cairn share a model registry in one database — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh | tail -1)',
  );
}

let store: RegistryStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

// Reads Cairn's registry with MLflow's own SqlAlchemyStore (through MlflowClient), then writes a model of
// its own with the same client, and prints what it saw as one JSON line. MLflow's store hands versions
// over as integers (its REST layer makes them strings), so the script prints them as strings.
const script = `
import json, sys
from mlflow import MlflowClient
uri = sys.argv[1]
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
def version(v):
    return {"version": str(v.version), "stage": v.current_stage, "source": v.source, "run_id": v.run_id,
        "description": v.description, "tags": v.tags, "aliases": sorted(v.aliases), "status": v.status}
m = client.get_registered_model("cairn-model")
seen = {
    "model": {"name": m.name, "description": m.description, "tags": m.tags, "aliases": {k: str(v) for k, v in m.aliases.items()},
        "latest": sorted([[str(v.version), v.current_stage] for v in m.latest_versions])},
    "versions": sorted([version(v) for v in client.search_model_versions("name = 'cairn-model'")],
        key=lambda v: int(v["version"])),
    # MLflow's SQL search leaves versions' aliases empty; get_model_version fills them.
    "v3_aliases": client.get_model_version("cairn-model", "3").aliases,
    "champion": str(client.get_model_version_by_alias("cairn-model", "champion").version),
    "production": [str(v.version) for v in client.get_latest_versions("cairn-model", ["Production"])],
    "download": client.get_model_version_download_uri("cairn-model", "3"),
    "search": [r.name for r in client.search_registered_models("tags.team = 'vision'")],
    "old_name_gone": not client.search_registered_models("name = 'cairn-old'"),
}
client.create_registered_model("py-model", tags={"owner": "py"}, description="from mlflow")
for i in range(3):
    client.create_model_version("py-model", "s3://bucket/py/%d" % (i + 1), run_id="b" * 32,
        tags={"i": str(i + 1)}, description="v%d" % (i + 1))
client.delete_model_version("py-model", "3")
client.set_registered_model_alias("py-model", "prod", "2")
client.set_model_version_tag("py-model", "2", "quality", "good")
client.transition_model_version_stage("py-model", "2", "Staging")
print(json.dumps(seen))
`;

/** Whether the MLflow python can import a database driver. */
async function pythonHas(module: string): Promise<boolean> {
  try {
    await promisify(execFile)(python as string, ['-c', `import ${module}`]);
    return true;
  } catch {
    return false;
  }
}

const targets = [
  { name: 'SQLite', variable: undefined, module: 'sqlite3', scheme: 'sqlite' },
  {
    name: 'PostgreSQL',
    variable: 'CAIRN_TEST_POSTGRES_URI',
    module: 'psycopg2',
    scheme: 'postgresql+psycopg2',
  },
  { name: 'MySQL/MariaDB', variable: 'CAIRN_TEST_MYSQL_URI', module: 'pymysql', scheme: 'mysql+pymysql' },
] as const;

for (const target of targets) {
  const adminUri = target.variable === undefined ? '' : (process.env[target.variable] ?? '');
  const ready =
    hasPython && (target.variable === undefined || (adminUri !== '' && (await pythonHas(target.module))));
  if (hasPython && !ready) {
    console.log(
      `SKIPPED: store-sql MLflow 3.18.0 and Cairn share a model registry on ${target.name} — set ${target.variable} and give CAIRN_MLFLOW_PYTHON ${target.module}`,
    );
  }
  describe.skipIf(!ready)(
    `MLflow 3.18.0 and Cairn share a model registry in one ${target.name} database`,
    () => {
      let server: ServerDatabase | undefined;
      afterAll(async () => {
        await server?.drop();
      });
      it('each reads the registered models, versions, stages, aliases and tags the other wrote', {
        timeout: 180_000,
      }, async () => {
        let uri = `sqlite:///${join(await mkdtemp(join(tmpdir(), 'cairn-sql-registry-interop-')), 'mlflow.db')}`;
        if (target.variable !== undefined) {
          server = await createServerDatabase(adminUri, `cairn_reg_interop_${target.module}`);
          uri = server.uri;
        }
        // SQLAlchemy wants the driver named where Node's drivers take the plain scheme.
        const mlflowUri = uri.replace(/^[a-z]+:/u, `${target.scheme}:`);
        store = createSqlRegistryStore({ uri });
        await store.createRegisteredModel({
          name: 'cairn-old',
          description: 'from cairn',
          tags: [{ key: 'team', value: 'vision' }],
        });
        for (const index of [1, 2, 3]) {
          await store.createModelVersion({
            name: 'cairn-old',
            source: `s3://bucket/cairn/${index}`,
            runId: 'a'.repeat(32),
            description: `v${index}`,
            tags: [{ key: 'i', value: String(index) }],
          });
        }
        await store.deleteModelVersion('cairn-old', '2');
        await store.setRegisteredModelAlias('cairn-old', 'champion', '3');
        await store.transitionModelVersionStage('cairn-old', '1', 'production', false);
        await store.renameRegisteredModel('cairn-old', 'cairn-model');
        await store.close();
        store = undefined;

        const { stdout } = await promisify(execFile)(python as string, ['-c', script, mlflowUri], {
          maxBuffer: 16 * 1024 * 1024,
        });
        const seen = JSON.parse(stdout.trim().split('\n').pop() as string);
        expect(seen.model).toEqual({
          name: 'cairn-model',
          description: 'from cairn',
          tags: { team: 'vision' },
          aliases: { champion: '3' },
          latest: [
            ['1', 'Production'],
            ['3', 'None'],
          ],
        });
        expect(seen.versions).toEqual(
          [1, 3].map((index) => ({
            version: String(index),
            stage: index === 1 ? 'Production' : 'None',
            source: `s3://bucket/cairn/${index}`,
            run_id: 'a'.repeat(32),
            description: `v${index}`,
            tags: { i: String(index) },
            aliases: [],
            status: 'READY',
          })),
        );
        expect(seen.v3_aliases).toEqual(['champion']);
        expect(seen.champion).toBe('3');
        expect(seen.production).toEqual(['1']);
        expect(seen.download).toBe('s3://bucket/cairn/3');
        expect(seen.search).toEqual(['cairn-model']);
        expect(seen.old_name_gone).toBe(true);

        // Now Cairn reads what MLflow wrote, and numbers on after MLflow's deleted version.
        store = createSqlRegistryStore({ uri, createSchema: false });
        const model = await store.getRegisteredModel('py-model');
        expect(model).toMatchObject({
          name: 'py-model',
          description: 'from mlflow',
          tags: [{ key: 'owner', value: 'py' }],
          aliases: [{ alias: 'prod', version: '2' }],
        });
        expect(model.latest_versions.map((version) => [version.version, version.current_stage])).toEqual([
          ['1', 'None'],
          ['2', 'Staging'],
        ]);
        const prod = await store.getModelVersionByAlias('py-model', 'prod');
        expect(prod).toMatchObject({
          version: '2',
          current_stage: 'Staging',
          source: 's3://bucket/py/2',
          run_id: 'b'.repeat(32),
          description: 'v2',
          aliases: ['prod'],
          status: 'READY',
        });
        expect([...prod.tags].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
          { key: 'i', value: '2' },
          { key: 'quality', value: 'good' },
        ]);
        await expect(store.getModelVersion('py-model', '3')).rejects.toMatchObject({
          code: 'RESOURCE_DOES_NOT_EXIST',
        });
        const found = await store.searchModelVersions({
          filter: "name = 'py-model'",
          orderBy: ['version_number'],
        });
        expect(found.items.map((version) => version.version)).toEqual(['1', '2']);
        expect(
          (await store.createModelVersion({ name: 'py-model', source: 's3://bucket/py/4' })).version,
        ).toBe('4');
      });
    },
  );
}
