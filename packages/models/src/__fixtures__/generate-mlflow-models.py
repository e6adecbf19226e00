"""Writes the MLflow-written model directories under mlflow-3.18/ (run with mlflow 3.18.0's python).

Only each directory's MLmodel and input example files are kept (the pickles are dropped): the tests read
the metadata MLflow writes, not the models.
"""
import os
import shutil
import sys

import numpy as np
import pandas as pd
import mlflow
from mlflow.models import infer_signature, ModelSignature
from mlflow.types.schema import ColSpec, Schema, ParamSchema, ParamSpec, TensorSpec, Array, Object, Property
from sklearn.linear_model import LinearRegression

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlflow-3.18")
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def keep_metadata(path):
    for name in os.listdir(path):
        if name not in ("MLmodel", "input_example.json", "serving_input_example.json"):
            full = os.path.join(path, name)
            shutil.rmtree(full) if os.path.isdir(full) else os.remove(full)


# sklearn on a DataFrame: column signature (long, double, string... via infer_signature), example as split.
frame = pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 1.5, 2.5], "name": ["a", "b", "c"], "flag": [True, False, True]})
regression = LinearRegression().fit(frame[["x", "y"]], [1.0, 2.0, 3.0])
mlflow.sklearn.save_model(regression, os.path.join(out, "sklearn-columns"), input_example=frame[["x", "y"]])

# pyfunc PythonModel with a richer column schema, optional column and params.
signature = ModelSignature(
    inputs=Schema([
        ColSpec("long", "id"),
        ColSpec("double", "score"),
        ColSpec("string", "label", required=False),
        ColSpec("boolean", "ok"),
        ColSpec("datetime", "at"),
        ColSpec("binary", "blob"),
        ColSpec(Array("double"), "values"),
        ColSpec(Object([Property("a", "long"), Property("b", "string", required=False)]), "obj"),
    ]),
    outputs=Schema([ColSpec("double")]),
    params=ParamSchema([
        ParamSpec("temperature", "double", 0.5),
        ParamSpec("max_tokens", "long", 16),
        ParamSpec("stop", "string", ["\n"], (-1,)),
        ParamSpec("flag", "boolean", False),
    ]),
)
mlflow.pyfunc.save_model(os.path.join(out, "pyfunc-columns-params"), python_model=Echo(), signature=signature,
                         metadata={"owner": "fixtures"})

# pyfunc with a tensor signature inferred from a numpy example (float64 (-1, 2)).
array = np.array([[1.0, 2.0], [3.0, 4.0]])
mlflow.pyfunc.save_model(os.path.join(out, "pyfunc-tensor"), python_model=Echo(), input_example=array)

# pyfunc with a list-of-strings example (an unnamed string column).
mlflow.pyfunc.save_model(os.path.join(out, "pyfunc-strings"), python_model=Echo(), input_example=["hello", "world"])

# pyfunc with a dict example with params.
mlflow.pyfunc.save_model(os.path.join(out, "pyfunc-dict-params"), python_model=Echo(),
                         input_example=({"question": "why", "n": 3}, {"temperature": 0.1}))

for name in os.listdir(out):
    keep_metadata(os.path.join(out, name))
print("wrote", sorted(os.listdir(out)))
