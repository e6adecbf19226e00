"""Writes a small mlruns/ tree with the real MLflow and dumps what MLflow reads back from it.

Run from this directory with the Python that has mlflow==3.18.0 (see README.md):
    python generate.py
It (re)creates ./mlruns-mlflow-3.18.0/ and ./mlruns-mlflow-3.18.0.expected.json.
"""

import json
import math
import os
import shutil

import mlflow
import numpy as np
from mlflow import MlflowClient
from mlflow.entities import ViewType

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "mlruns-mlflow-3.18.0")
shutil.rmtree(root, ignore_errors=True)
# MLflow 3.18 refuses file stores unless this opt-out is set.
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
uri = "file:" + root
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)

base = 1_700_000_000_000

exp_id = mlflow.create_experiment("fixture-experiment", tags={"team": "vision", "nested/key": "slash"})
mlflow.set_experiment(experiment_id=exp_id)
with mlflow.start_run(run_name="parent-run", tags={"purpose": "fixture"}) as parent:
    mlflow.log_params({"lr": 0.01, "epochs": 3, "optimizer": "adam", "path/like": "a/b"})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step, timestamp=base + step * 1000)
    mlflow.log_metric("odd", float("nan"), step=0, timestamp=base)
    mlflow.log_metric("odd", float("inf"), step=1, timestamp=base + 1)
    mlflow.log_metric("odd", float("-inf"), step=2, timestamp=base + 2)
    mlflow.log_metric("acc", 0.5, step=3, timestamp=base + 10)
    mlflow.log_metric("acc", 0.7, step=3, timestamp=base + 5)
    mlflow.log_metric("acc", 0.6, step=2, timestamp=base + 20)
    mlflow.set_tag("stage", "dev")
    mlflow.log_text("hello from mlflow", "notes/hello.txt")
    dataset = mlflow.data.from_numpy(np.arange(6).reshape(3, 2), name="numbers")
    mlflow.log_input(dataset, context="training")
    with mlflow.start_run(run_name="child-run", nested=True):
        mlflow.log_param("child", "yes")
        mlflow.log_metric("loss", 0.25, step=0, timestamp=base)

deleted_run = client.create_run(exp_id, run_name="deleted-run")
client.set_terminated(deleted_run.info.run_id, "KILLED", end_time=base + 99)
client.delete_run(deleted_run.info.run_id)

gone = mlflow.create_experiment("deleted-experiment")
client.create_run(gone, run_name="run-in-deleted-experiment")
client.delete_experiment(gone)


def num(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def metric(m):
    return {"key": m.key, "value": num(m.value), "timestamp": m.timestamp, "step": m.step}


def run_dict(run):
    info = run.info
    return {
        "info": {
            "run_id": info.run_id,
            "run_name": info.run_name,
            "experiment_id": info.experiment_id,
            "user_id": info.user_id,
            "status": info.status,
            "start_time": info.start_time,
            "end_time": info.end_time,
            "artifact_uri_suffix": info.artifact_uri[len("file://" + root):],
            "lifecycle_stage": info.lifecycle_stage,
        },
        "params": dict(sorted(run.data.params.items())),
        "tags": dict(sorted(run.data.tags.items())),
        "metrics": sorted((metric(m) for m in client.get_run(info.run_id).data._metric_objs), key=lambda m: m["key"]),
        "history": {
            key: [metric(m) for m in client.get_metric_history(info.run_id, key)]
            for key in sorted(run.data.metrics)
        },
        "dataset_inputs": [
            {
                "tags": {t.key: t.value for t in d.tags},
                "name": d.dataset.name,
                "digest": d.dataset.digest,
                "source_type": d.dataset.source_type,
                "source": d.dataset.source,
                "schema": d.dataset.schema,
                "profile": d.dataset.profile,
            }
            for d in run.inputs.dataset_inputs
        ],
    }


experiments = []
for e in client.search_experiments(view_type=ViewType.ALL, order_by=["experiment_id ASC"]):
    runs = client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, order_by=["attributes.run_name ASC"])
    experiments.append(
        {
            "experiment_id": e.experiment_id,
            "name": e.name,
            "lifecycle_stage": e.lifecycle_stage,
            "artifact_location_suffix": e.artifact_location[len("file://" + root):],
            "creation_time": e.creation_time,
            "last_update_time": e.last_update_time,
            "tags": dict(sorted(e.tags.items())),
            "runs": [run_dict(r) for r in runs],
        }
    )

with open(os.path.join(here, "mlruns-mlflow-3.18.0.expected.json"), "w") as f:
    json.dump({"mlflow_version": mlflow.__version__, "experiments": experiments}, f, indent=2, sort_keys=True)
    f.write("\n")
print("wrote", root)
