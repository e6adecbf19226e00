"""Drives MLflow 3 logged models through the official MLflow Python client and checks what it reads back.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:<port> python mlflow_logged_model_script.py <scratch dir>

`mlflow.pyfunc.log_model` inside a run (create, params, run outputs, metrics with model_id, artifact upload,
finalize), loading it back by `models:/<model_id>` and `runs:/<run_id>/<name>`, search, get, tags and an
unknown id. Run against Cairn's server and against `mlflow server` by
packages/server/src/interop.mlflow-python.test.ts. Prints `LOGGED MODELS OK` last when every check passed.
"""

import os
import sys
import uuid

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


class AddN(mlflow.pyfunc.PythonModel):
    """Adds a constant to every column."""

    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input + self.n


def main(scratch):
    os.makedirs(scratch, exist_ok=True)
    client = MlflowClient()
    experiment = mlflow.set_experiment(f"logged-models-{uuid.uuid4().hex[:8]}")
    exp_id = experiment.experiment_id
    example = pd.DataFrame({"x": [1.0, 2.0]})

    with mlflow.start_run() as run:
        run_id = run.info.run_id
        mlflow.log_param("alpha", "0.5")
        # The client links the run metrics of the model's step (0) to the model.
        mlflow.log_metric("acc", 0.9)
        info = mlflow.pyfunc.log_model(name="adder", python_model=AddN(5), input_example=example)

    model_id = info.model_id
    check(model_id.startswith("m-"), "log_model returns a logged model id")
    check(info.model_uri == f"models:/{model_id}", "the model URI is models:/<model_id>")

    predicted = mlflow.pyfunc.load_model(info.model_uri).predict(example)
    check(list(predicted["x"]) == [6.0, 7.0], "load_model(models:/<id>).predict returns the model's output")
    by_run = mlflow.pyfunc.load_model(f"runs:/{run_id}/adder").predict(example)
    check(list(by_run["x"]) == [6.0, 7.0], "load_model(runs:/<run>/adder) finds the logged model")

    model = client.get_logged_model(model_id)
    check(str(model.status) == "READY", f"the model is READY (got {model.status})")
    check(model.source_run_id == run_id, "source_run_id is the run")
    check(model.experiment_id == exp_id, "experiment_id is the run's experiment")
    check(model.name == "adder", "the name is the one given")
    expected_location = f"mlflow-artifacts:/{exp_id}/models/{model_id}/artifacts"
    check(model.artifact_location == expected_location, f"artifact_location is {expected_location}")
    check(model.params == {"alpha": "0.5"}, f"the run's params are copied to the model (got {model.params})")
    check(isinstance(model.tags, dict), "tags read back as a dict")
    acc = [metric for metric in (model.metrics or []) if metric.key == "acc"]
    check(len(acc) == 1 and acc[0].value == 0.9 and acc[0].step == 0, f"the run's metric is linked (got {acc})")
    check(acc[0].run_id == run_id and acc[0].model_id == model_id, "the model metric names its run and model")

    outputs = client.get_run(run_id).outputs.model_outputs
    check([output.model_id for output in outputs] == [model_id], "the run's outputs list the model")

    found = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    check([m.model_id for m in found] == [model_id], "search_logged_models finds the model")
    frame = mlflow.search_logged_models(experiment_ids=[exp_id])
    check(len(frame) == 1, "search_logged_models as a DataFrame has one row")
    ready = mlflow.search_logged_models(
        experiment_ids=[exp_id], filter_string="name = 'adder' AND status = 'READY'", output_format="list"
    )
    check([m.model_id for m in ready] == [model_id], "a name and status filter finds it")
    by_metric = mlflow.search_logged_models(
        experiment_ids=[exp_id], filter_string="metrics.acc > 0.95", output_format="list"
    )
    check(by_metric == [], "a metric filter it fails leaves it out")
    by_param = mlflow.search_logged_models(
        experiment_ids=[exp_id], filter_string="params.alpha = '0.5'", output_format="list"
    )
    check([m.model_id for m in by_param] == [model_id], "a param filter finds it")

    client.set_logged_model_tags(model_id, {"stage": "test", "owner": "interop"})
    check(client.get_logged_model(model_id).tags.get("stage") == "test", "set_logged_model_tags sets tags")
    client.delete_logged_model_tag(model_id, "stage")
    tags = client.get_logged_model(model_id).tags
    check("stage" not in tags and tags.get("owner") == "interop", "delete_logged_model_tag removes one tag")

    try:
        client.get_logged_model("m-0123456789abcdef0123456789abcdef")
        check(False, "an unknown model id fails")
    except MlflowException as error:
        check(error.error_code == "RESOURCE_DOES_NOT_EXIST", f"an unknown id is RESOURCE_DOES_NOT_EXIST ({error.error_code})")

    second = mlflow.create_external_model(name="external")
    check(str(client.get_logged_model(second.model_id).status) == "READY", "an external model is READY")
    client.delete_logged_model(second.model_id)
    remaining = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    check([m.model_id for m in remaining] == [model_id], "a deleted model leaves search")

    print("LOGGED MODELS OK")


if __name__ == "__main__":
    main(sys.argv[1])
