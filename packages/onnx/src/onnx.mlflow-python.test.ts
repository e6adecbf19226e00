import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createModelStores,
  type DataFrame,
  type LoadedModel,
  loadModel,
  logModel,
  type ModelStores,
  readMLmodel,
  saveModel,
  type TensorMap,
} from '@cairn/models';
import { createServer } from '@cairn/server';
import { createFileArtifactStore } from '@cairn/store-file';
import { createMemoryRegistryStore, createMemoryTrackingStore } from '@cairn/store-memory';
import { restStorePlugin } from '@cairn/store-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxFlavor } from './index.js';

const python = process.env.CAIRN_MLFLOW_PYTHON;
if (python === undefined || python === '') {
  console.log(
    'SKIPPED: onnx onnx.mlflow-python — set CAIRN_MLFLOW_PYTHON to a python with mlflow==3.18.0, skl2onnx, onnx and onnxruntime (bash .ci/install-mlflow.sh)',
  );
}

// `train <dir>`: sklearn models trained on iris, converted by skl2onnx and saved by mlflow.onnx.save_model
// (plus a MatMul graph whose weights onnx stores as external data), with sklearn's own predictions.
// `score <dir>`: Python's mlflow.pyfunc.load_model on a directory Cairn saved, predicting a DataFrame.
const script = `
import json, os, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
import mlflow.onnx, mlflow.pyfunc
from mlflow.models import Model
mode, work = sys.argv[1], sys.argv[2]
# Given requirements, save_model skips inferring them (a subprocess per model, most of the run's time).
requirements = ["onnx", "onnxruntime"]
if mode == "train":
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LogisticRegression
    X, y = load_iris(return_X_y=True)
    rows = X[::7]
    clf = LogisticRegression(max_iter=1000).fit(X, y)
    clf_onnx = to_onnx(clf, X[:1].astype(np.float32))
    mlflow.onnx.save_model(clf_onnx, os.path.join(work, "clf"), pip_requirements=requirements)
    onnx.save_model(clf_onnx, os.path.join(work, "clf.onnx"))
    reg = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X[:, :3], X[:, 3])
    mlflow.onnx.save_model(to_onnx(reg, X[:1, :3].astype(np.float32)), os.path.join(work, "reg"), pip_requirements=requirements)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(40, 12)).astype(np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 40])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 12])], [numpy_helper.from_array(w, "w")])
    matmul = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    matmul.ir_version = 8
    mlflow.onnx.save_model(matmul, os.path.join(work, "matmul"), pip_requirements=requirements)
    x = rng.normal(size=(3, 40)).astype(np.float32)
    print(json.dumps({
        "rows": rows.tolist(),
        "labels": clf.predict(rows).tolist(),
        "probabilities": clf.predict_proba(rows).tolist(),
        "regression": reg.predict(rows[:, :3]).tolist(),
        "matmul_x": x.tolist(),
        "matmul_y": (x.astype(np.float64) @ w.astype(np.float64)).tolist(),
        "flavors": {name: Model.load(os.path.join(work, name)).flavors for name in ["clf", "reg", "matmul"]},
    }))
elif mode == "log":
    import onnx
    from mlflow import MlflowClient
    mlflow.set_tracking_uri(sys.argv[3])
    with mlflow.start_run():
        info = mlflow.onnx.log_model(onnx.load(os.path.join(work, "clf.onnx")), name="iris",
            registered_model_name="iris-onnx", pip_requirements=requirements)
    MlflowClient().set_registered_model_alias("iris-onnx", "champion", info.registered_model_version)
    print(json.dumps({"model_id": info.model_id, "version": info.registered_model_version}))
else:
    if mode == "score-uri":
        mlflow.set_tracking_uri(sys.argv[3])
        model = mlflow.pyfunc.load_model(sys.argv[4])
    else:
        model = mlflow.pyfunc.load_model(os.path.join(work, "cairn-clf"))
    rows = json.load(open(os.path.join(work, "rows.json")))
    out = model.predict(pd.DataFrame(rows, columns=["a", "b", "c", "d"]))
    print(json.dumps({
        "columns": list(out.columns),
        "labels": out["output_label"].tolist(),
        "probabilities": [[float(m[k]) for k in sorted(m)] for m in out["output_probability"]],
        "loader": model.metadata.flavors["python_function"]["loader_module"],
    }))
`;

async function runPython(
  mode: 'train' | 'score' | 'log' | 'score-uri',
  work: string,
  ...args: string[]
): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(python as string, ['-c', script, mode, work, ...args], {
    env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}

interface Trained {
  rows: number[][];
  labels: number[];
  probabilities: number[][];
  regression: number[];
  matmul_x: number[][];
  matmul_y: number[][];
  flavors: Record<string, Record<string, Record<string, unknown>>>;
}

/** Python trains and converts once per file; both suites read its directory (removed after the file). */
const shared = { work: '', training: undefined as Promise<Trained> | undefined };
function trainOnce(): Promise<Trained> {
  shared.training ??= mkdtemp(join(tmpdir(), 'cairn-onnx-mlflow-')).then(async (work) => {
    shared.work = work;
    return (await runPython('train', work)) as unknown as Trained;
  });
  return shared.training;
}

afterAll(async () => {
  if (shared.work !== '') await rm(shared.work, { recursive: true, force: true });
});

const tolerance = 1e-5;

function expectClose(actual: ArrayLike<number>, expected: readonly number[], within = tolerance): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] as number) - (expected[i] as number)), `index ${i}`).toBeLessThanOrEqual(
      within,
    );
  }
}

describe.skipIf(python === undefined || python === '')('onnx models between Cairn and MLflow 3.18.0', () => {
  const state = { work: '', trained: undefined as unknown as Trained };
  const open: LoadedModel[] = [];

  beforeAll(async () => {
    state.trained = await trainOnce();
    state.work = shared.work;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(open.map((model) => model.close()));
  });

  async function loadPythonSaved(name: string): Promise<LoadedModel> {
    const model = await loadModel(join(state.work, name), { flavors: [onnxFlavor] });
    open.push(model);
    expect(model.flavor).toBe('onnx');
    return model;
  }

  it('loads the classifier mlflow.onnx saved and predicts what sklearn predicts', async () => {
    const { rows, labels, probabilities, flavors } = state.trained;
    expect(flavors.clf?.onnx).toMatchObject({
      data: 'model.onnx',
      providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
    });
    const model = await loadPythonSaved('clf');
    const output = (await model.predict({
      kind: 'dataframe',
      columns: ['a', 'b', 'c', 'd'],
      rows,
    })) as DataFrame;
    expect(output.columns).toEqual(['output_label', 'output_probability']);
    expect(output.rows.map((row) => row[0])).toEqual(labels);
    output.rows.forEach((row, i) => {
      const map = row[1] as Record<string, number>;
      expect(Object.keys(map)).toEqual(['0', '1', '2']);
      expectClose(Object.values(map), probabilities[i] as number[]);
    });
    const tensors = (await model.predict({
      kind: 'tensor',
      dtype: 'float64',
      shape: [rows.length, 4],
      data: rows.flat(),
    })) as TensorMap;
    expect(tensors.tensors.output_label?.data).toEqual(labels);
  });

  it('loads the random forest regressor mlflow.onnx saved and predicts what sklearn predicts', async () => {
    const { rows, regression } = state.trained;
    const model = await loadPythonSaved('reg');
    const output = (await model.predict({
      kind: 'dataframe',
      columns: ['sepal_length', 'sepal_width', 'petal_length'],
      rows: rows.map((row) => row.slice(0, 3)),
    })) as DataFrame;
    expect(output.columns).toEqual(['variable']);
    expectClose(
      output.rows.map((row) => row[0] as number),
      regression,
    );
  });

  it('loads a model whose weights mlflow.onnx saved as external data', async () => {
    const files = await readdir(join(state.work, 'matmul'));
    expect(files.filter((file) => file.endsWith('.data'))).toHaveLength(1);
    const model = await loadPythonSaved('matmul');
    const { matmul_x: x, matmul_y: y } = state.trained;
    const output = (await model.predict({
      kind: 'tensor',
      dtype: 'float32',
      shape: [3, 40],
      data: x.flat(),
    })) as TensorMap;
    expect(output.tensors.y?.shape).toEqual([3, 12]);
    expectClose(output.tensors.y?.data as Float32Array, y.flat(), 1e-4);
  });

  it("MLflow's pyfunc loads the classifier Cairn saved and predicts what sklearn predicts", async () => {
    const dir = join(state.work, 'cairn-clf');
    const bytes = await readFile(join(state.work, 'clf.onnx'));
    await saveModel(dir, { model: bytes, flavor: onnxFlavor });
    expect((await readMLmodel(dir)).flavors).toEqual({
      onnx: {
        onnx_version: '1.16.0',
        data: 'model.onnx',
        providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
        onnx_session_options: null,
        code: null,
      },
      python_function: { loader_module: 'mlflow.onnx', data: 'model.onnx' },
    });
    await writeFile(join(state.work, 'rows.json'), JSON.stringify(state.trained.rows));
    const scored = await runPython('score', state.work);
    expect(scored.loader).toBe('mlflow.onnx');
    expect(scored.columns).toEqual(['output_label', 'output_probability']);
    expect(scored.labels).toEqual(state.trained.labels);
    (scored.probabilities as number[][]).forEach((row, i) => {
      expectClose(row, state.trained.probabilities[i] as number[]);
    });
  }, 120_000);
});

describe.skipIf(python === undefined || python === '')(
  'onnx models through a Cairn server, with MLflow 3.18.0',
  () => {
    const state = { work: '', url: '', trained: undefined as unknown as Trained, close: async () => {} };

    beforeAll(async () => {
      state.trained = await trainOnce();
      state.work = shared.work;
      const trackingStore = createMemoryTrackingStore({ artifactRoot: 'mlflow-artifacts:' });
      const registryStore = createMemoryRegistryStore();
      const app = createServer({
        trackingStore,
        registryStore,
        artifactStore: createFileArtifactStore({ root: join(state.work, 'server-artifacts') }),
      });
      state.url = await app.listen({ host: '127.0.0.1', port: 0 });
      state.close = async () => {
        await app.close();
      };
    }, 180_000);

    afterAll(async () => {
      await state.close();
    });

    async function cairnStores(): Promise<ModelStores> {
      const tracking = await restStorePlugin.openTracking?.(state.url, {});
      const registry = await restStorePlugin.openRegistry?.(state.url, {});
      return createModelStores({
        tracking,
        registry,
        plugins: [restStorePlugin],
        context: { trackingUri: state.url },
      });
    }

    it("Cairn loads models:/<name>@champion that Python's mlflow.onnx.log_model registered, predicting what sklearn predicts", async () => {
      const logged = await runPython('log', state.work, state.url);
      expect(logged.version).toBe('1');
      const model = await loadModel('models:/iris-onnx@champion', {
        flavors: [onnxFlavor],
        stores: await cairnStores(),
      });
      try {
        expect(model.flavor).toBe('onnx');
        const { rows, labels, probabilities } = state.trained;
        const output = (await model.predict({
          kind: 'dataframe',
          columns: ['a', 'b', 'c', 'd'],
          rows,
        })) as DataFrame;
        expect(output.rows.map((row) => row[0])).toEqual(labels);
        output.rows.forEach((row, i) => {
          expectClose(Object.values(row[1] as Record<string, number>), probabilities[i] as number[]);
        });
      } finally {
        await model.close();
      }
    }, 180_000);

    it("Python's mlflow.pyfunc loads the model Cairn logged and registered, predicting what sklearn predicts", async () => {
      const stores = await cairnStores();
      const experimentId = await (stores.tracking as NonNullable<ModelStores['tracking']>).createExperiment({
        name: 'cairn-onnx',
      });
      const run = await (stores.tracking as NonNullable<ModelStores['tracking']>).createRun({ experimentId });
      const info = await logModel(stores, {
        model: await readFile(join(state.work, 'clf.onnx')),
        flavor: onnxFlavor,
        name: 'iris',
        runId: run.info.run_id,
        registeredModelName: 'iris-from-cairn',
      });
      expect(info.registeredModelVersion?.version).toBe('1');
      await writeFile(join(state.work, 'rows.json'), JSON.stringify(state.trained.rows));
      for (const uri of ['models:/iris-from-cairn/1', info.modelUri]) {
        const scored = await runPython('score-uri', state.work, state.url, uri);
        expect(scored.loader).toBe('mlflow.onnx');
        expect(scored.labels).toEqual(state.trained.labels);
        (scored.probabilities as number[][]).forEach((row, i) => {
          expectClose(row, state.trained.probabilities[i] as number[]);
        });
      }
    }, 180_000);
  },
);
