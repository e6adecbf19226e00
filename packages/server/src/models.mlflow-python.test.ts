import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnClient } from '@cairn/client';
import { downloadModel, readMLmodel } from '@cairn/models';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: server models.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh)',
  );
}

// `read <name>` prints what MLflow's client sees of a registered model Cairn logged; `write <name>` logs a
// PythonModel with a signature and registers it, as an MLflow user would.
const script = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import mlflow
from mlflow import MlflowClient
mode, name = sys.argv[1], sys.argv[2]
if mode == "read":
    info = mlflow.models.get_model_info(f"models:/{name}/1")
    client = MlflowClient()
    logged = client.search_logged_models(experiment_ids=["0"], filter_string=f"name = 'cairn-{name}'")
    versions = client.search_model_versions(f"name = '{name}'")
    print(json.dumps({
        "flavors": sorted(info.flavors.keys()),
        "entry": info.flavors["js_function"]["entry"],
        "signature": info.signature.to_dict(),
        "model_id": info.model_id,
        "input_example": info.saved_input_example_info,
        "logged": [{"id": m.model_id, "status": str(m.status), "run": m.source_run_id} for m in logged],
        "versions": [{"version": v.version, "source": v.source, "model_id": v.model_id} for v in versions],
    }))
else:
    class Echo(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", python_model=Echo(), registered_model_name=name,
                                       input_example={"question": "why", "n": 3})
    print(json.dumps({"model_id": info.model_id}))
`;

async function runPython(mode: 'read' | 'write', name: string, trackingUri: string) {
  const { stdout } = await promisify(execFile)(python as string, ['-c', script, mode, name], {
    env: {
      ...process.env,
      MLFLOW_TRACKING_URI: trackingUri,
      MLFLOW_DISABLE_TELEMETRY: 'true',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
    },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(
      `${error.message}\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`,
    );
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}

describe.skipIf(python === undefined || python === '')(
  'models with MLflow 3.18.0 through a Cairn server',
  () => {
    it('MLflow reads the model Cairn logged, and Cairn reads (and refuses to run) the one MLflow logged', {
      timeout: 180_000,
    }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-models-interop-'));
      const app = createServer({
        trackingStore: createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' }),
        registryStore: createMemoryRegistryStore(),
        artifactStore: createFileArtifactStore({ root: join(dir, 'served') }),
      });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const client = new CairnClient({ trackingUri: url, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
      try {
        const run = await client.createRun('0');
        const logged = await client.logModel({
          model: (input: { rows: unknown[][] }) => input.rows.map((row) => String(row[0]).length),
          name: 'cairn-Lengths',
          runId: run.info.run_id,
          inputExample: [{ text: 'hello' }],
          inputExampleParams: { upper: false },
          registeredModelName: 'Lengths',
        });
        const seen = await runPython('read', 'Lengths', url);
        expect(seen.flavors).toEqual(['js_function']);
        expect(seen.entry).toBe('code/model.mjs');
        expect(seen.model_id).toBe(logged.modelId);
        expect(seen.signature).toEqual({
          inputs: '[{"type": "string", "name": "text", "required": true}]',
          outputs: '[{"type": "long", "required": true}]',
          params: '[{"name": "upper", "default": false, "shape": null, "type": "boolean"}]',
        });
        expect(seen.input_example).toMatchObject({
          type: 'dataframe',
          pandas_orient: 'split',
          params: 'true',
        });
        expect(seen.logged).toEqual([{ id: logged.modelId, status: 'READY', run: run.info.run_id }]);
        // MLflow 3.18's ModelVersion.from_proto drops model_id, so its client reads None from any server.
        expect(seen.versions).toEqual([
          { version: '1', source: `models:/${logged.modelId}`, model_id: null },
        ]);

        const written = await runPython('write', 'Echo', url);
        const error = await client.loadModel('models:/Echo/1').then(
          () => undefined,
          (failure: Error) => failure,
        );
        expect(error?.message).toContain(
          "python_function (loader_module mlflow.pyfunc.model) needs Python's mlflow.pyfunc.model (no JavaScript loader)",
        );
        const local = join(dir, 'echo');
        await downloadModel('models:/Echo/1', local, await client.modelStores());
        const mlmodel = await readMLmodel(local);
        expect(mlmodel.modelId).toBe(written.model_id);
        expect(mlmodel.signature?.inputs).toEqual({
          kind: 'columns',
          columns: [
            { name: 'question', type: 'string', required: true },
            { name: 'n', type: 'long', required: true },
          ],
        });
      } finally {
        await client.close();
        await app.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
