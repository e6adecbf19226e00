"""Drives the endpoints MLflow's UI calls (and server-info, which its client calls) and checks what the official
MLflow Python client reads of what they wrote.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:<port> python mlflow_ui_endpoints_script.py <scratch dir>

`upload-artifact` then the client's `download_artifacts`; `get-artifact`, `model-versions/get-artifact` and
`logged-models/<id>/artifacts/files` with their headers and path refusals; `runs/create-promptlab-run` then the
run, its files and `mlflow.pyfunc.load_model` of its model; `server-info` and an artifact logged after it. Run
against Cairn's server and against `mlflow server` by packages/server/src/interop.mlflow-python.test.ts, so the
expectations are MLflow's own. Prints `UI ENDPOINTS OK` last when every check passed.
"""

import json
import os
import sys
import uuid

import mlflow
import requests
from mlflow import MlflowClient
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.server_info import _clear_server_info_cache, fetch_server_info


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def main(scratch):
    os.makedirs(scratch, exist_ok=True)
    base = mlflow.get_tracking_uri().rstrip("/")
    client = MlflowClient()
    experiment = mlflow.set_experiment(f"ui-endpoints-{uuid.uuid4().hex[:8]}")
    exp_id = experiment.experiment_id

    # --- server-info: what the client reads before moving artifacts ---
    _clear_server_info_cache()
    info = fetch_server_info(get_default_host_creds(base))
    check(info.status_code == 200, f"server-info answers 200 (got {info.status_code})")
    for field in ["store_type", "multipart_uploads_enabled", "multipart_downloads_enabled", "artifacts_presigned_only"]:
        check(field in info.data, f"server-info has {field}")
    check(info.data["store_type"] == "SqlStore", f"store_type of a SQLite backend ({info.data['store_type']})")
    check(info.data["multipart_uploads_enabled"] is False, "no multipart uploads over a local artifact store")
    ui_info = requests.get(f"{base}/ajax-api/3.0/mlflow/server-info", timeout=30)
    check(ui_info.status_code == 200 and ui_info.json() == info.data, "the UI's server-info is the same")

    # --- upload-artifact, read back by the client ---
    run = client.create_run(exp_id)
    run_id = run.info.run_id
    upload = f"{base}/ajax-api/2.0/mlflow/upload-artifact"
    response = requests.post(upload, params={"run_uuid": run_id, "path": "notes/hello.txt"}, data=b"hello ui")
    check(response.status_code == 200, f"upload-artifact answers 200 (got {response.status_code} {response.text})")
    local = client.download_artifacts(run_id, "notes/hello.txt", os.path.join(scratch, "dl"))
    with open(local, "rb") as handle:
        check(handle.read() == b"hello ui", "the client downloads the uploaded file")
    check([f.path for f in client.list_artifacts(run_id, "notes")] == ["notes/hello.txt"], "and lists it")
    for params, why in [
        ({}, "no run_uuid"),
        ({"run_uuid": run_id}, "no path"),
        ({"run_uuid": run_id, "path": "../escape.txt"}, "a traversal"),
        ({"run_uuid": run_id, "path": "empty.txt"}, "no data"),
    ]:
        data = b"" if why == "no data" else b"x"
        refused = requests.post(upload, params=params, data=data)
        check(
            refused.status_code == 400 and refused.json()["error_code"] == "INVALID_PARAMETER_VALUE",
            f"upload-artifact refuses {why} with 400 INVALID_PARAMETER_VALUE",
        )
    check(requests.post(upload, params={"run_uuid": run_id, "path": "../escape.txt"}, data=b"x").json()["message"]
          == "Invalid path", "a traversal is MLflow's 'Invalid path'")

    # --- get-artifact ---
    client.log_text(run_id, "<script>alert(1)</script>", "page.html")
    client.log_text(run_id, "alert(1)", "app.js")
    for path, kind in [("notes/hello.txt", "text/plain"), ("page.html", "text/html"), ("app.js", "text/plain")]:
        response = requests.get(f"{base}/get-artifact", params={"run_uuid": run_id, "path": path})
        check(response.status_code == 200, f"get-artifact {path} answers 200")
        check(response.headers["Content-Type"].split(";")[0] == kind, f"{path} is {kind}")
        name = path.rsplit("/", 1)[-1]
        check(response.headers["Content-Disposition"] == f"attachment; filename={name}", f"{path} is an attachment")
        check(response.headers["X-Content-Type-Options"] == "nosniff", f"{path} is nosniff")
    check(requests.get(f"{base}/get-artifact", params={"run_id": run_id, "path": "notes/hello.txt"}).text
          == "hello ui", "get-artifact by run_id")
    for path in ["../path", "/etc/passwd", "%2E%2E%2Fpath"]:
        refused = requests.get(f"{base}/get-artifact", params={"run_id": run_id, "path": path})
        body = refused.json()
        check(refused.status_code == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
              and body["message"] == "Invalid path", f"get-artifact refuses {path} with 'Invalid path'")
    client.set_terminated(run_id)

    # --- logged model files and model-version files ---
    with mlflow.start_run() as model_run:
        model_info = mlflow.pyfunc.log_model(name="model", python_model=Echo())
    files = f"{base}/ajax-api/2.0/mlflow/logged-models/{model_info.model_id}/artifacts/files"
    mlmodel = requests.get(files, params={"artifact_file_path": "MLmodel"})
    check(mlmodel.status_code == 200 and model_info.model_id in mlmodel.text, "logged-model MLmodel names its id")
    check(mlmodel.headers["Content-Type"].split(";")[0] == "text/plain", "MLmodel is text/plain")
    missing = requests.get(files)
    check(missing.status_code == 400 and missing.json()["error_code"] == "BAD_REQUEST",
          "logged-model files without artifact_file_path is 400 BAD_REQUEST")
    escape = requests.get(files, params={"artifact_file_path": "../../x"})
    check(escape.status_code == 400 and escape.json()["message"] == "Invalid path", "and refuses a traversal")
    name = f"ui-model-{uuid.uuid4().hex[:8]}"
    version = mlflow.register_model(f"runs:/{model_run.info.run_id}/model", name)
    got = requests.get(f"{base}/model-versions/get-artifact",
                       params={"name": name, "version": version.version, "path": "MLmodel"})
    check(got.status_code == 200 and "python_function" in got.text, "model-versions/get-artifact serves MLmodel")
    doubled = requests.get(f"{base}//model-versions/get-artifact",
                           params={"name": name, "version": version.version, "path": "../path"})
    check(doubled.status_code == 400 and doubled.json()["message"] == "Invalid path",
          "//model-versions/get-artifact refuses a traversal")

    # --- the prompt lab ---
    promptlab = f"{base}/ajax-api/2.0/mlflow/runs/create-promptlab-run"
    refused = requests.post(promptlab, json={"experiment_id": exp_id})
    check(refused.status_code == 400 and refused.json()["message"]
          == "CreatePromptlabRun request must specify prompt_template.", "create-promptlab-run names a missing field")
    created = requests.post(promptlab, json={
        "experiment_id": exp_id,
        "run_name": "prompt",
        "prompt_template": "Say {{ word }}",
        "prompt_parameters": [{"key": "word", "value": "hi"}],
        "model_route": "chat",
        "model_parameters": [{"key": "temperature", "value": "0.5"}],
        "model_input": "Say hi",
        "model_output": "hi",
        "model_output_parameters": [{"key": "latency", "value": "12"}],
        "mlflow_version": mlflow.__version__,
        "user_id": "ui",
        "start_time": 1000,
    })
    check(created.status_code == 200, f"create-promptlab-run answers 200 (got {created.status_code})")
    prompt_run = client.get_run(created.json()["run"]["info"]["run_id"])
    check(prompt_run.info.status == "FINISHED" and prompt_run.info.user_id == "ui", "the prompt run is FINISHED")
    check(prompt_run.data.params == {"temperature": "0.5", "model_route": "chat", "prompt_template": "Say {{ word }}"},
          f"its params ({prompt_run.data.params})")
    check(prompt_run.data.tags.get("mlflow.runSourceType") == "PROMPT_ENGINEERING", "its source type tag")
    check(json.loads(prompt_run.data.tags["mlflow.loggedArtifacts"]) == [{"path": "eval_results_table.json",
                                                                           "type": "table"}], "its logged artifacts")
    history = json.loads(prompt_run.data.tags["mlflow.log-model.history"])
    check(len(history) == 1 and history[0]["artifact_path"] == "model", "its model history")
    listed = sorted(f.path for f in client.list_artifacts(prompt_run.info.run_id, "model"))
    for file in ["model/MLmodel", "model/parameters.yaml", "model/input_example.json", "model/requirements.txt",
                 "model/conda.yaml", "model/python_env.yaml"]:
        check(file in listed, f"the prompt run has {file}")
    table = client.load_table(experiment_id=exp_id, artifact_file="eval_results_table.json",
                              run_ids=[prompt_run.info.run_id])
    check(list(table.columns)[:4] == ["word", "prompt", "output", "latency"], f"its eval table ({list(table.columns)})")
    check(table.iloc[0]["output"] == "hi", "whose row holds the output")
    loaded = mlflow.pyfunc.load_model(f"runs:/{prompt_run.info.run_id}/model")
    check(loaded.metadata.flavors["python_function"]["loader_module"] == "mlflow.prompt.promptlab_model",
          "mlflow.pyfunc.load_model loads the prompt model")
    check([c.name for c in loaded.metadata.get_input_schema().inputs] == ["word"], "with its input schema")

    # --- an artifact logged after server-info: the client's proxied upload path ---
    big = os.path.join(scratch, "big.bin")
    with open(big, "wb") as handle:
        handle.write(os.urandom(3 * 1024 * 1024))
    with mlflow.start_run() as upload_run:
        mlflow.log_artifact(big)
    back = client.download_artifacts(upload_run.info.run_id, "big.bin", os.path.join(scratch, "big"))
    with open(back, "rb") as a, open(big, "rb") as b:
        check(a.read() == b.read(), "an artifact logged after server-info round-trips")

    print("UI ENDPOINTS OK")


if __name__ == "__main__":
    main(sys.argv[1])
