// Scoring an ONNX model through Cairn's onnx flavor: rows/s of `LoadedModel.predict` on records (what the
// scoring server does: records -> DataFrame -> typed tensor -> onnxruntime -> DataFrame), against raw
// onnxruntime-node on a prepared Float32Array (the floor: what the flavor adds is the ratio), and against
// MLflow 3.18's `mlflow.pyfunc` onnx model on a pandas DataFrame when CAIRN_MLFLOW_PYTHON is set.
// Models: the skl2onnx fixtures of packages/onnx (an iris RandomForestRegressor; a LogisticRegression whose
// ZipMap probabilities the flavor rebuilds as maps, which raw onnxruntime-node cannot return at all).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, saveModel } from '@cairn/models';
import { onnxFlavor } from '@cairn/onnx';
import ort from 'onnxruntime-node';
import { fmt, forSeconds, machineLoad, measurementPlan, measureRate, spreadText } from './bench-kit.mjs';

const plan = measurementPlan();
const fixtures = fileURLToPath(new URL('../packages/onnx/src/__fixtures__/', import.meta.url));
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
const batchSizes = [1, 1000];

function batch(size, width) {
  return Array.from({ length: size }, (_, i) =>
    (expected.rows[i % expected.rows.length] ?? []).slice(0, width),
  );
}

async function rowsPerSecond(predictOnce, size) {
  const { rates } = await measureRate(plan, async (seconds) => {
    const { count, seconds: took } = await forSeconds(seconds, 1, async () => {
      await predictOnce();
      return 1;
    });
    return { count: count * size, seconds: took };
  });
  return rates;
}

const work = mkdtempSync(join(tmpdir(), 'cairn-bench-onnx-'));
try {
  console.log(`onnx-predict, ${machineLoad()}; ${plan.seconds}s x ${plan.repetitions} per figure, rows/s`);
  const models = {};
  for (const [name, file, width] of [
    ['regressor', 'iris-random-forest-regressor.onnx', 3],
    ['classifier', 'iris-logistic-regression.onnx', 4],
  ]) {
    const dir = join(work, name);
    await saveModel(dir, { model: join(fixtures, file), flavor: onnxFlavor });
    models[name] = { dir, file, width, loaded: await loadModel(dir, { flavors: [onnxFlavor] }) };
  }
  const raw = await ort.InferenceSession.create(join(fixtures, models.regressor.file));
  const pythonRates = {};
  if (process.env.CAIRN_MLFLOW_PYTHON) {
    const script = `
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, mlflow.pyfunc
out = {}
for name, width in [("regressor", 3), ("classifier", 4)]:
    model = mlflow.pyfunc.load_model(sys.argv[1] + "/" + name)
    rows = json.loads(sys.argv[2])
    for size in (1, 1000):
        df = pd.DataFrame([rows[i % len(rows)][:width] for i in range(size)], columns=list("abcd")[:width])
        model.predict(df)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < float(sys.argv[3]):
            model.predict(df)
            count += 1
        out[f"{name}/{size}"] = count * size / (time.perf_counter() - start)
print(json.dumps(out))
`;
    const stdout = execFileSync(
      process.env.CAIRN_MLFLOW_PYTHON,
      ['-c', script, work, JSON.stringify(expected.rows), String(plan.seconds)],
      { env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' }, encoding: 'utf8' },
    );
    Object.assign(pythonRates, JSON.parse(stdout.trim().split('\n').at(-1)));
  }

  for (const size of batchSizes) {
    const columns = ['a', 'b', 'c', 'd'];
    const regressorRows = batch(size, 3);
    const records = regressorRows.map((row) =>
      Object.fromEntries(row.map((value, i) => [columns[i], value])),
    );
    const tensor = new ort.Tensor('float32', Float32Array.from(regressorRows.flat()), [size, 3]);
    const floor = await rowsPerSecond(() => raw.run({ X: tensor }), size);
    const cairn = await rowsPerSecond(() => models.regressor.loaded.predict(records), size);
    const median = (rates) => [...rates].sort((a, b) => a - b)[Math.floor((rates.length - 1) / 2)];
    const python = pythonRates[`regressor/${size}`];
    console.log(
      `regressor, ${size} row(s)/call: raw onnxruntime-node ${spreadText(floor)}; Cairn predict(records) ${spreadText(cairn)}` +
        ` = ${fmt(median(cairn) / median(floor), 2)}x of raw` +
        (python === undefined
          ? ''
          : `; MLflow pyfunc ${fmt(python)} (Cairn ${fmt(median(cairn) / python, 2)}x)`),
    );
    const classifierRecords = batch(size, 4).map((row) =>
      Object.fromEntries(row.map((value, i) => [columns[i], value])),
    );
    const classifier = await rowsPerSecond(() => models.classifier.loaded.predict(classifierRecords), size);
    const pythonClassifier = pythonRates[`classifier/${size}`];
    console.log(
      `classifier (ZipMap), ${size} row(s)/call: Cairn predict(records) ${spreadText(classifier)}` +
        (pythonClassifier === undefined
          ? ''
          : `; MLflow pyfunc ${fmt(pythonClassifier)} (Cairn ${fmt(median(classifier) / pythonClassifier, 2)}x)`),
    );
  }
  await raw.release();
  for (const model of Object.values(models)) await model.loaded.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
