"""Drives the model registry through the official MLflow Python client and checks what it reads back.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:<port> python mlflow_registry_script.py <scratch dir>

`MlflowClient` registered models and versions (create, get, search with filters, ordering and pages,
update, rename, tags, aliases, stage transitions, download URI, delete), `mlflow.register_model` of a
`runs:/` URI and of a logged model's `models:/<model_id>`, and `mlflow.pyfunc.load_model` by
`models:/<name>/<version>`, `models:/<name>@<alias>` and `models:/<name>/latest`, and prompts through
`mlflow.genai.register_prompt` and `load_prompt` (versions whose source is a placeholder). Run against Cairn's
server and against `mlflow server` by packages/server/src/interop.mlflow-python.test.ts. Prints
`REGISTRY OK` last when every check passed.
"""

import json
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


def fails_with(code, call, what):
    try:
        call()
    except MlflowException as error:
        check(error.error_code == code, f"{what} ({error.error_code})")
        return
    raise AssertionError(f"{what}: expected {code}, the call succeeded")


class AddN(mlflow.pyfunc.PythonModel):
    """Adds a constant to every column."""

    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input + self.n


def main(scratch):
    os.makedirs(scratch, exist_ok=True)
    client = MlflowClient()
    prefix = f"reg_{uuid.uuid4().hex[:8]}"
    mlflow.set_experiment(f"registry-{prefix}")

    # Registered models through MlflowClient.
    name = f"{prefix}_plain"
    created = client.create_registered_model(name, tags={"team": "a"}, description="first")
    check(created.name == name and created.description == "first", "create_registered_model")
    fails_with(
        "RESOURCE_ALREADY_EXISTS", lambda: client.create_registered_model(name), "a taken name is refused"
    )
    fails_with(
        "RESOURCE_DOES_NOT_EXIST",
        lambda: client.get_registered_model(f"{prefix}_missing"),
        "an unknown model is RESOURCE_DOES_NOT_EXIST",
    )
    fails_with("INVALID_PARAMETER_VALUE", lambda: client.create_registered_model("a/b"), "'/' in a name")

    with mlflow.start_run() as run:
        run_id = run.info.run_id
        mlflow.log_text("weights", "model/weights.txt")
    artifact_uri = run.info.artifact_uri
    v1 = client.create_model_version(name, f"runs:/{run_id}/model", run_id, tags={"k": "v"}, description="one")
    check(v1.version == "1" and v1.current_stage == "None", "create_model_version from a runs:/ URI")
    check(v1.status == "READY", "the version is READY")
    v2 = client.create_model_version(name, f"{artifact_uri}/model", run_id)
    check(v2.version == "2", "create_model_version from the run's artifact location")

    model = client.get_registered_model(name)
    check(model.tags == {"team": "a"}, "get_registered_model reads tags back")
    check([mv.version for mv in model.latest_versions] == ["2"], "latest_versions lists the newest None version")
    got = client.get_model_version(name, "1")
    check(got.tags == {"k": "v"} and got.description == "one" and got.run_id == run_id, "get_model_version")

    client.update_registered_model(name, description="second")
    check(client.get_registered_model(name).description == "second", "update_registered_model")
    client.update_model_version(name, "1", description="uno")
    check(client.get_model_version(name, "1").description == "uno", "update_model_version")

    client.set_registered_model_tag(name, "stage", "dev")
    client.delete_registered_model_tag(name, "team")
    check(client.get_registered_model(name).tags == {"stage": "dev"}, "registered-model tags set and delete")
    client.set_model_version_tag(name, "2", "quality", "good")
    client.delete_model_version_tag(name, "1", "k")
    check(client.get_model_version(name, "2").tags == {"quality": "good"}, "model-version tag set")
    check(client.get_model_version(name, "1").tags == {}, "model-version tag deleted")

    client.set_registered_model_alias(name, "champion", "1")
    check(client.get_model_version_by_alias(name, "champion").version == "1", "get_model_version_by_alias")
    client.set_registered_model_alias(name, "champion", "2")
    check(client.get_model_version_by_alias(name, "champion").version == "2", "an alias moves")
    check(client.get_registered_model(name).aliases == {"champion": "2"}, "the model lists its aliases")
    fails_with(
        "INVALID_PARAMETER_VALUE",
        lambda: client.set_registered_model_alias(name, "latest", "1"),
        "'latest' is a reserved alias",
    )
    client.delete_registered_model_alias(name, "champion")
    fails_with(
        "INVALID_PARAMETER_VALUE",
        lambda: client.get_model_version_by_alias(name, "champion"),
        "a deleted alias no longer resolves",
    )

    staged = client.transition_model_version_stage(name, "1", "Production")
    check(staged.current_stage == "Production", "transition_model_version_stage")
    client.transition_model_version_stage(name, "2", "production", archive_existing_versions=True)
    check(client.get_model_version(name, "1").current_stage == "Archived", "archive_existing_versions archives")
    latest = client.get_latest_versions(name, stages=["Production"])
    check([mv.version for mv in latest] == ["2"], "get_latest_versions by stage")
    fails_with(
        "INVALID_PARAMETER_VALUE",
        lambda: client.transition_model_version_stage(name, "1", "Shipped"),
        "an unknown stage is refused",
    )

    check(
        client.get_model_version_download_uri(name, "2") == f"{artifact_uri}/model",
        "get_model_version_download_uri is the source",
    )

    for index in range(5):
        client.create_registered_model(f"{prefix}_page_{index}")
    first = client.search_registered_models(filter_string=f"name LIKE '{prefix}_page_%'", max_results=2)
    names = [m.name for m in first]
    token = first.token
    while token:
        more = client.search_registered_models(
            filter_string=f"name LIKE '{prefix}_page_%'", max_results=2, page_token=token
        )
        names += [m.name for m in more]
        token = more.token
    check(names == [f"{prefix}_page_{i}" for i in range(5)], "search_registered_models pages by name")
    desc = client.search_registered_models(filter_string=f"name LIKE '{prefix}_page_%'", order_by=["name DESC"])
    check([m.name for m in desc][0] == f"{prefix}_page_4", "search_registered_models order_by name DESC")
    tagged = client.search_registered_models(filter_string=f"tags.stage = 'dev' AND name = '{name}'")
    check([m.name for m in tagged] == [name], "search_registered_models by tag")
    versions = client.search_model_versions(f"run_id = '{run_id}'")
    check(sorted(mv.version for mv in versions) == ["1", "2"], "search_model_versions by run_id")
    by_source = client.search_model_versions(f"name = '{name}' AND source_path = '{artifact_uri}/model'")
    check([mv.version for mv in by_source] == ["2"], "search_model_versions by source_path")

    renamed = f"{prefix}_renamed"
    client.rename_registered_model(name, renamed)
    check(client.get_model_version(renamed, "2").name == renamed, "rename carries the versions")
    client.delete_model_version(renamed, "2")
    fails_with(
        "RESOURCE_DOES_NOT_EXIST",
        lambda: client.get_model_version(renamed, "2"),
        "a deleted version is gone",
    )
    v3 = client.create_model_version(renamed, f"{artifact_uri}/model", run_id)
    check(v3.version == "3", "a deleted version's number is not reused")
    client.delete_registered_model(renamed)
    fails_with(
        "RESOURCE_DOES_NOT_EXIST", lambda: client.get_registered_model(renamed), "delete_registered_model"
    )

    # MLflow 3: a pyfunc model logged as a logged model, registered and loaded back through the registry.
    example = pd.DataFrame({"x": [1.0, 2.0]})
    with mlflow.start_run() as run:
        info = mlflow.pyfunc.log_model(name="adder", python_model=AddN(5), input_example=example)
    model_name = f"{prefix}_adder"
    registered = mlflow.register_model(info.model_uri, model_name)
    check(registered.version == "1" and registered.status == "READY", "register_model(models:/<model_id>)")
    # MLflow's SQL registry keeps no model_id column (it reads back None); the source names the logged model.
    check(registered.source == info.model_uri, "the version's source is the logged model's URI")
    check(registered.run_id == run.info.run_id, "the version records the logged model's run")
    by_run = mlflow.register_model(f"runs:/{run.info.run_id}/adder", model_name)
    check(by_run.version == "2", "register_model(runs:/<run>/adder) finds the logged model")
    logged = client.get_logged_model(info.model_id)
    # The server appends each version with an integer version (Python's json.dumps), then register_model
    # itself appends it again with the string version the response carries: MLflow's server does the same.
    expected_versions = [{"name": model_name, "version": v} for v in (1, "1", 2, "2")]
    check(
        logged.tags.get("mlflow.modelVersions") == json.dumps(expected_versions),
        "the logged model's mlflow.modelVersions tag lists its versions as MLflow writes them",
    )

    client.set_registered_model_alias(model_name, "prod", "1")
    for uri in (f"models:/{model_name}/1", f"models:/{model_name}@prod", f"models:/{model_name}/latest"):
        predicted = mlflow.pyfunc.load_model(uri).predict(example)
        check(list(predicted["x"]) == [6.0, 7.0], f"load_model({uri}).predict returns the model's output")

    # Prompts: registered models and versions tagged as prompts, whose source is a placeholder.
    prompt_name = f"{prefix}_greeting"
    first = mlflow.genai.register_prompt(prompt_name, template="Hello, {{name}}!", commit_message="first")
    check(first.version == 1, "register_prompt creates version 1")
    second = mlflow.genai.register_prompt(prompt_name, template="Hi, {{name}}!")
    check(second.version == 2, "register_prompt adds version 2")
    loaded = mlflow.genai.load_prompt(f"prompts:/{prompt_name}/1")
    check(loaded.template == "Hello, {{name}}!", "load_prompt reads a version's template back")
    check(loaded.format(name="Ada") == "Hello, Ada!", "the loaded prompt formats")
    latest_prompt = mlflow.genai.load_prompt(f"prompts:/{prompt_name}@latest")
    check(latest_prompt.version == 2 and latest_prompt.template == "Hi, {{name}}!", "load_prompt @latest")
    check(
        prompt_name not in {m.name for m in client.search_registered_models(f"name LIKE '{prefix}%'")},
        "prompts stay out of registered-model searches",
    )

    print("REGISTRY OK")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
