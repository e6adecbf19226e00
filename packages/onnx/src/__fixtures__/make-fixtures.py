"""Writes the skl2onnx fixtures the unit tests (and bench/onnx-predict) use, so they run without Python.

Run with the interop venv (bash .ci/install-mlflow.sh prints its python):
    $(bash .ci/install-mlflow.sh | tail -1) packages/onnx/src/__fixtures__/make-fixtures.py
It trains on iris with fixed seeds, converts with skl2onnx, and records sklearn's own predictions on every
seventh row in expected.json.
"""
import json
import os

import numpy as np
import onnx
import skl2onnx
import sklearn
from skl2onnx import to_onnx
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression

here = os.path.dirname(os.path.abspath(__file__))
X, y = load_iris(return_X_y=True)
rows = X[::7]
clf = LogisticRegression(max_iter=1000).fit(X, y)
onnx.save_model(to_onnx(clf, X[:1].astype(np.float32)), os.path.join(here, "iris-logistic-regression.onnx"))
reg = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X[:, :3], X[:, 3])
onnx.save_model(to_onnx(reg, X[:1, :3].astype(np.float32)), os.path.join(here, "iris-random-forest-regressor.onnx"))
with open(os.path.join(here, "expected.json"), "w") as out:
    json.dump(
        {
            "made_with": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__},
            "rows": rows.tolist(),
            "labels": clf.predict(rows).tolist(),
            "probabilities": clf.predict_proba(rows).tolist(),
            "regression": reg.predict(rows[:, :3]).tolist(),
        },
        out,
    )
