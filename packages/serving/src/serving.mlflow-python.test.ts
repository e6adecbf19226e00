import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { saveModel } from '@cairn/models';
import { describe, expect, it } from 'vitest';
import { createModelLoader } from './model-loader.js';
import { serveModel } from './scoring-server.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: serving serving.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 (bash .ci/install-mlflow.sh)',
  );
}

// MLflow's own scoring client (what `mlflow.pyfunc.spark_udf` and MLflow's tests use) against Cairn's server:
// a pandas DataFrame with params, a numpy array, CSV from DataFrame.to_csv, and an error body read by requests.
const script = `
import json, sys
import numpy as np, pandas as pd, requests
from mlflow.pyfunc.scoring_server.client import ScoringServerClient
host, port = sys.argv[1], sys.argv[2]
client = ScoringServerClient(host, port)
client.wait_server_ready(timeout=30)
out = {"version": client.get_version()}
frame = client.invoke(pd.DataFrame({"x": [1.0, 2.0]}), params={"scale": 10.0}).get_predictions()
out["frame"] = frame.to_dict(orient="list")
out["array"] = client.invoke(np.array([[3.0], [4.0]])).get_predictions().to_dict(orient="list")
csv = requests.post(f"http://{host}:{port}/invocations", data=pd.DataFrame({"x": [5.0]}).to_csv(index=False),
    headers={"Content-Type": "text/csv"})
out["csv"] = csv.json()
bad = requests.post(f"http://{host}:{port}/invocations", data=json.dumps({"rows": [1]}),
    headers={"Content-Type": "application/json"})
out["bad"] = {"status": bad.status_code, "body": bad.json()}
print(json.dumps(out))
`;

describe.skipIf(python === undefined || python === '')(
  "MLflow 3.18.0's scoring client against Cairn's server",
  () => {
    it('invokes with DataFrames, arrays, params and CSV, and reads the error body', {
      timeout: 120_000,
    }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-serving-interop-'));
      const source = join(dir, 'model.mjs');
      await writeFile(
        source,
        `export default (input, params) => {
  if (input.kind === 'tensor') return { kind: 'tensor', dtype: 'float64', shape: [input.shape[0]], data: Array.from(input.data, (x) => x * 2) };
  const at = input.columns.indexOf('x');
  return { kind: 'dataframe', columns: ['y'], rows: input.rows.map((row) => [row[at] * 2 * (params.scale ?? 1)]) };
};
`,
      );
      await saveModel(join(dir, 'model'), { model: { module: source } });
      const server = await serveModel({ uri: join(dir, 'model'), loader: createModelLoader(), port: 0 });
      try {
        const { port } = new URL(server.url);
        const { stdout } = await promisify(execFile)(python as string, ['-c', script, '127.0.0.1', port], {
          env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
        });
        const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
        expect(out.version).toBe('3.18.0');
        expect(out.frame).toEqual({ y: [20, 40] });
        expect(out.array).toEqual({ 0: [6, 8] });
        expect(out.csv).toEqual({ predictions: [{ y: 10 }] });
        expect(out.bad.status).toBe(400);
        expect(out.bad.body.error_code).toBe('BAD_REQUEST');
      } finally {
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
