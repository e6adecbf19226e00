import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveServerOptions, startServer } from '@cairn/server-start';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { cliSandbox } from '../test-helpers.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: cli models-onnx.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0 and skl2onnx (bash .ci/install-mlflow.sh)',
  );
}

// Python trains an sklearn classifier, converts it with skl2onnx and logs it to the Cairn server with
// mlflow.onnx.log_model(registered_model_name=...), sets the alias `champion`, and prints the rows it scored
// with sklearn's own predictions, which the served model must reproduce.
const script = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import mlflow, numpy as np
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
X, y = load_iris(return_X_y=True)
X = X.astype(np.float32)
clf = LogisticRegression(max_iter=500).fit(X, y)
onx = convert_sklearn(clf, initial_types=[("input", FloatTensorType([None, 4]))], target_opset=17)
mlflow.set_tracking_uri(sys.argv[1])
with mlflow.start_run():
    info = mlflow.onnx.log_model(onx, name="iris", registered_model_name="iris-served")
MlflowClient().set_registered_model_alias("iris-served", "champion", info.registered_model_version)
rows = X[::10]
print(json.dumps({
    "rows": rows.tolist(),
    "labels": clf.predict(rows).tolist(),
    "probabilities": clf.predict_proba(rows).tolist(),
}))
`;

interface Scored {
  rows: number[][];
  labels: number[];
  probabilities: number[][];
}

describe.skipIf(python === undefined || python === '')(
  'cairn models serve: a model Python logged with mlflow.onnx, served by alias from a Cairn server',
  () => {
    it("answers /invocations with sklearn's predictions, 400 for a bad request, and keeps serving", {
      timeout: 240_000,
    }, async () => {
      const { cwd, env } = await cliSandbox({ trackingUri: (dir) => `sqlite:///${join(dir, 'mlflow.db')}` });
      const server = await startServer(
        resolveServerOptions(
          {
            backendStoreUri: `sqlite:///${join(cwd, 'server.db')}`,
            artifactsDestination: join(cwd, 'artifacts'),
            port: 0,
            logRequests: false,
          },
          {},
        ),
      );
      const controller = new AbortController();
      let stdout = '';
      let stderr = '';
      let serve: Promise<number> | undefined;
      try {
        const { stdout: printed } = await promisify(execFile)(python as string, ['-c', script, server.url], {
          env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
          maxBuffer: 16 * 1024 * 1024,
        });
        const scored = JSON.parse(printed.trim().split('\n').at(-1) ?? '{}') as Scored;

        serve = runCli(['--json', 'models', 'serve', '-m', 'models:/iris-served@champion', '-p', '0'], {
          stdout: (text) => {
            stdout += text;
          },
          stderr: (text) => {
            stderr += text;
          },
          env: { ...env, MLFLOW_TRACKING_URI: server.url },
          cwd,
          signal: controller.signal,
        });
        let exited: number | undefined;
        void serve.then((code) => {
          exited = code;
        });
        while (!stdout.includes('"url"')) {
          if (exited !== undefined) throw new Error(`serve exited ${exited}: ${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const { url } = JSON.parse(stdout) as { url: string };
        const invoke = (body: unknown) =>
          fetch(`${url}/invocations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });

        const answer = await invoke({
          dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: scored.rows },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-cairn-model-version')).toBe('1');
        const { predictions } = (await answer.json()) as {
          predictions: { output_label: number; output_probability: Record<string, number> }[];
        };
        expect(predictions.map((row) => row.output_label)).toEqual(scored.labels);
        predictions.forEach((row, i) => {
          const expected = scored.probabilities[i] as number[];
          const got = Object.keys(row.output_probability)
            .sort()
            .map((key) => row.output_probability[key] as number);
          expect(got).toHaveLength(expected.length);
          for (const [k, value] of got.entries()) {
            expect(Math.abs(value - (expected[k] as number))).toBeLessThan(1e-5);
          }
        });

        // The request's fault: 400 with MLflow's error body; the server goes on answering.
        const bad = await invoke({ dataframe_split: { columns: ['a'], data: 'not rows' } });
        expect(bad.status).toBe(400);
        expect(((await bad.json()) as { error_code: string }).error_code).toMatch(
          /BAD_REQUEST|INVALID_PARAMETER_VALUE/,
        );
        const again = await invoke({ dataframe_records: [{ a: 5.1, b: 3.5, c: 1.4, d: 0.2 }] });
        expect(again.status).toBe(200);
      } finally {
        controller.abort();
        if (serve !== undefined) await serve;
        await server.close();
      }
    });
  },
);
