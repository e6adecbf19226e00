"""Drives the official MLflow Python client against a tracking server and checks every value read back.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:<port> python mlflow_client_script.py <scratch dir>

Run against Cairn's server and against `mlflow server` by packages/server/src/interop.mlflow-python.test.ts,
so the script itself is proven against MLflow. Prints `INTEROP OK` last when every check passed.
"""

import json
import math
import os
import sys
import time
import uuid

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import ViewType


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


def main(scratch):
    client = MlflowClient()
    name = f"interop-{uuid.uuid4().hex[:8]}"

    experiment = mlflow.set_experiment(name)
    check(experiment.name == name, "set_experiment creates the experiment")
    check(mlflow.set_experiment(name).experiment_id == experiment.experiment_id, "set_experiment finds it again")
    exp_id = experiment.experiment_id

    upload_dir = os.path.join(scratch, "upload")
    os.makedirs(os.path.join(upload_dir, "nested"), exist_ok=True)
    with open(os.path.join(upload_dir, "a.txt"), "w") as handle:
        handle.write("alpha")
    with open(os.path.join(upload_dir, "nested", "b.csv"), "w") as handle:
        handle.write("x,y\n1,2\n")
    single = os.path.join(scratch, "single.bin")
    with open(single, "wb") as handle:
        handle.write(bytes(range(256)))

    frame = pd.DataFrame({"feature": [1.0, 2.0, 3.0], "label": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, source="https://example.com/interop/train.csv", name="train-set")

    with mlflow.start_run(run_name="parent") as parent:
        parent_id = parent.info.run_id
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=4)
        mlflow.log_metric("weird", float("nan"))
        mlflow.set_tag("team", "cairn")
        mlflow.set_tags({"stage": "test", "owner": "interop"})
        mlflow.log_artifact(single)
        mlflow.log_artifact(os.path.join(upload_dir, "a.txt"), artifact_path="docs")
        mlflow.log_artifacts(upload_dir, artifact_path="tree")
        mlflow.log_dict({"k": [1, 2, 3]}, "config/settings.json")
        mlflow.log_dict({"k": "v"}, "config/settings.yaml")
        mlflow.log_text("hello interop", "notes/readme.txt")
        mlflow.log_input(dataset, context="training")
        with mlflow.start_run(run_name="child", nested=True) as child:
            child_id = child.info.run_id
            mlflow.log_metric("acc", 0.5, step=1)
            mlflow.log_param("lr", 0.1)

    # --- read everything back ---
    run = client.get_run(parent_id)
    check(run.info.run_name == "parent", "run name")
    check(run.info.status == "FINISHED", "run ended FINISHED")
    check(run.info.end_time is not None and run.info.end_time >= run.info.start_time, "end_time after start_time")
    check(run.info.artifact_uri.startswith("mlflow-artifacts:/") or run.info.artifact_uri.startswith("file:")
          or "mlartifacts" in run.info.artifact_uri, f"artifact uri {run.info.artifact_uri}")
    check(run.data.params == {"lr": "0.01", "layers": "3", "optimizer": "adam"}, f"params {run.data.params}")
    check(run.data.metrics["loss"] == 0.2, "latest loss is the last step's")
    check(run.data.metrics["acc"] == 0.9 and run.data.metrics["f1"] == 0.8, "acc and f1")
    check(math.isnan(run.data.metrics["weird"]), "NaN round-trips")
    for key, value in {"team": "cairn", "stage": "test", "owner": "interop", "mlflow.runName": "parent"}.items():
        check(run.data.tags.get(key) == value, f"tag {key}={value}")
    check("mlflow.user" in run.data.tags and "mlflow.source.name" in run.data.tags, "client system tags")

    history = client.get_metric_history(parent_id, "loss")
    check([(m.step, m.value) for m in history] == [(s, 1.0 / (s + 1)) for s in range(5)], "loss history")
    check(all(m.timestamp > 0 for m in history), "history timestamps")

    inputs = run.inputs.dataset_inputs
    check(len(inputs) == 1, "one dataset input")
    check(inputs[0].dataset.name == "train-set" and inputs[0].dataset.digest == dataset.digest, "dataset name/digest")
    check(json.loads(inputs[0].dataset.source)["url"] == "https://example.com/interop/train.csv", "dataset source")
    check({t.key: t.value for t in inputs[0].tags}.get("mlflow.data.context") == "training", "dataset context tag")

    child_run = client.get_run(child_id)
    check(child_run.data.tags.get("mlflow.parentRunId") == parent_id, "nested run's parent tag")
    check(child_run.data.params == {"lr": "0.1"}, "child params")

    top = {f.path: f for f in client.list_artifacts(parent_id)}
    check(set(top) == {"single.bin", "docs", "tree", "config", "notes"}, f"artifact root listing {sorted(top)}")
    check(top["single.bin"].file_size == 256 and not top["single.bin"].is_dir, "file size in listing")
    tree = sorted(f.path for f in client.list_artifacts(parent_id, "tree"))
    check(tree == ["tree/a.txt", "tree/nested"], f"tree listing {tree}")

    local = mlflow.artifacts.download_artifacts(run_id=parent_id, dst_path=os.path.join(scratch, "down"))
    with open(os.path.join(local, "single.bin"), "rb") as handle:
        check(handle.read() == bytes(range(256)), "binary artifact bytes")
    with open(os.path.join(local, "tree", "nested", "b.csv")) as handle:
        check(handle.read() == "x,y\n1,2\n", "nested artifact")
    with open(os.path.join(local, "notes", "readme.txt")) as handle:
        check(handle.read() == "hello interop", "log_text")
    with open(os.path.join(local, "config", "settings.json")) as handle:
        check(json.load(handle) == {"k": [1, 2, 3]}, "log_dict json")
    single_local = client.download_artifacts(parent_id, "docs/a.txt", os.path.join(scratch, "one"))
    with open(single_local) as handle:
        check(handle.read() == "alpha", "download one file with MlflowClient")
    check(mlflow.artifacts.load_dict(f"runs:/{parent_id}/config/settings.yaml") == {"k": "v"}, "log_dict yaml")

    # --- search ---
    found = mlflow.search_runs(experiment_ids=[exp_id], filter_string="metrics.acc > 0.6", output_format="list")
    check([r.info.run_id for r in found] == [parent_id], "search_runs with a metric filter")
    ordered = mlflow.search_runs(experiment_ids=[exp_id], order_by=["metrics.acc ASC"], output_format="list")
    check([r.info.run_id for r in ordered] == [child_id, parent_id], "search_runs ordered by metric")
    by_param = mlflow.search_runs(experiment_names=[name], filter_string="params.lr = '0.1'")
    check(list(by_param["run_id"]) == [child_id], "search_runs by experiment name and param (DataFrame)")
    by_tag = client.search_runs([exp_id], "tags.team = 'cairn' and attributes.status = 'FINISHED'")
    check([r.info.run_id for r in by_tag] == [parent_id], "search by tag and attribute")

    # --- delete and restore ---
    client.delete_run(child_id)
    check(client.get_run(child_id).info.lifecycle_stage == "deleted", "run deleted")
    active = client.search_runs([exp_id], run_view_type=ViewType.ACTIVE_ONLY)
    check([r.info.run_id for r in active] == [parent_id], "deleted run hidden from active search")
    deleted = client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)
    check([r.info.run_id for r in deleted] == [child_id], "deleted run in deleted-only search")
    client.restore_run(child_id)
    check(client.get_run(child_id).info.lifecycle_stage == "active", "run restored")

    client.set_experiment_tag(exp_id, "purpose", "interop")
    check(client.get_experiment(exp_id).tags.get("purpose") == "interop", "experiment tag")
    client.delete_experiment(exp_id)
    check(client.get_experiment(exp_id).lifecycle_stage == "deleted", "experiment deleted")
    check(client.get_experiment_by_name(name).lifecycle_stage == "deleted", "get_experiment_by_name sees deleted")
    client.restore_experiment(exp_id)
    check(client.get_experiment(exp_id).lifecycle_stage == "active", "experiment restored")
    renamed = f"{name}-renamed"
    client.rename_experiment(exp_id, renamed)
    check(client.get_experiment_by_name(renamed).experiment_id == exp_id, "experiment renamed")
    check(client.get_experiment_by_name(f"absent-{uuid.uuid4().hex}") is None, "absent experiment is None")
    names = [e.name for e in client.search_experiments(filter_string=f"name = '{renamed}'")]
    check(names == [renamed], "search_experiments by name")

    print("INTEROP OK")


if __name__ == "__main__":
    started = time.time()
    main(sys.argv[1])
    print(f"took {time.time() - started:.1f}s")
