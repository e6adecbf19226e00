"""Writes mlflow-3.18.0.db (a SQLite tracking database made by the real MLflow) and expected.json (what
MLflow itself reads back from it). Run from this directory with a python that has mlflow==3.18.0:

    "$(bash ../../../.ci/install-mlflow.sh | tail -1)" generate.py
"""
import json
import math
import os
import sys

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType

assert mlflow.__version__ == "3.18.0", mlflow.__version__
here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "mlflow-3.18.0.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
client = MlflowClient(tracking_uri="sqlite:///" + path)

vision = client.create_experiment(
    "vision", artifact_location="file:///fixtures/artifacts/vision", tags={"team": "cv"}
)
nlp = client.create_experiment("nlp", artifact_location="file:///fixtures/artifacts/nlp")

base = 1_700_000_000_000
first = client.create_run(vision, start_time=base, run_name="resnet-a", tags={"stage": "dev"})
client.log_batch(
    first.info.run_id,
    metrics=[Metric("loss", 1.0 / (step + 1), base + step * 1000, step) for step in range(5)]
    + [Metric("acc", 0.5 + step / 10, base + step * 1000, step) for step in range(5)]
    + [Metric("odd", float("nan"), base, 0), Metric("big", float("inf"), base, 0)],
    params=[Param("lr", "0.01"), Param("optimizer", "adam")],
    tags=[RunTag("note", "first run")],
)
client.set_terminated(first.info.run_id, "FINISHED", end_time=base + 60_000)

second = client.create_run(vision, start_time=base + 1000, run_name="resnet-b")
client.log_batch(
    second.info.run_id,
    metrics=[Metric("loss", 0.9, base + 1000, 0), Metric("loss", 0.3, base + 2000, 1)],
    params=[Param("lr", "0.1")],
)
client.set_terminated(second.info.run_id, "FAILED", end_time=base + 5000)

third = client.create_run(nlp, start_time=base + 2000, run_name="bert")
client.log_metric(third.info.run_id, "f1", 0.8, timestamp=base + 3000, step=2)
client.delete_run(third.info.run_id)

deleted = client.create_experiment("retired", artifact_location="file:///fixtures/artifacts/retired")
client.delete_experiment(deleted)


def num(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


expected = {"mlflow_version": mlflow.__version__, "experiments": []}
for experiment in client.search_experiments(view_type=ViewType.ALL, order_by=["name ASC"]):
    runs = []
    for run in client.search_runs(
        [experiment.experiment_id], run_view_type=ViewType.ALL, order_by=["attributes.run_name ASC"]
    ):
        runs.append(
            {
                "run_id": run.info.run_id,
                "run_name": run.info.run_name,
                "status": run.info.status,
                "lifecycle_stage": run.info.lifecycle_stage,
                "start_time": run.info.start_time,
                "end_time": run.info.end_time,
                "artifact_uri": run.info.artifact_uri,
                "params": run.data.params,
                "tags": run.data.tags,
                "metrics": {key: num(value) for key, value in run.data.metrics.items()},
                "history": {
                    key: [[m.timestamp, m.step, num(m.value)] for m in client.get_metric_history(run.info.run_id, key)]
                    for key in run.data.metrics
                },
            }
        )
    expected["experiments"].append(
        {
            "experiment_id": experiment.experiment_id,
            "name": experiment.name,
            "artifact_location": experiment.artifact_location,
            "lifecycle_stage": experiment.lifecycle_stage,
            "tags": experiment.tags,
            "runs": runs,
        }
    )
with open(os.path.join(here, "expected.json"), "w") as handle:
    json.dump(expected, handle, indent=2, sort_keys=True)
    handle.write("\n")
print("wrote", path, file=sys.stderr)
