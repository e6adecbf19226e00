"""Drives MlflowClient's webhook API against a tracking server (MLFLOW_TRACKING_URI) and prints a JSON summary.

RECEIVER_URL is an HTTP receiver the test runs; the server must allow private targets and http. The same
script runs against Cairn and against the real `mlflow server`, so its expectations are MLflow's own.
"""

import json
import os

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

receiver = os.environ["RECEIVER_URL"]
client = MlflowClient()

hook = client.create_webhook(
    name="interop-hook",
    url=receiver,
    events=["registered_model.created", "model_version.created", "model_version_alias.created"],
    description="from the python client",
    secret="interop-secret",
)
assert hook.name == "interop-hook", hook
assert hook.status == "ACTIVE", hook.status
assert hook.description == "from the python client", hook.description
assert hook.secret is None, "the secret must not come back"
assert sorted(str(e) for e in hook.events) == [
    "model_version.created",
    "model_version_alias.created",
    "registered_model.created",
], hook.events

read = client.get_webhook(hook.webhook_id)
assert read.webhook_id == hook.webhook_id and read.url == receiver, read
assert read.creation_timestamp == hook.creation_timestamp

second = client.create_webhook(name="second", url=receiver, events=["model_version_tag.set"], status="DISABLED")
assert second.status == "DISABLED", second.status
first_page = client.list_webhooks(max_results=1)
assert len(first_page) == 1 and first_page.token, first_page.token
assert first_page[0].name == "second", [w.name for w in first_page]
rest = client.list_webhooks(max_results=1, page_token=first_page.token)
assert [w.name for w in rest] == ["interop-hook"], [w.name for w in rest]
assert not rest.token
assert len(client.list_webhooks()) == 2

updated = client.update_webhook(hook.webhook_id, description="changed", status="DISABLED")
assert updated.description == "changed" and updated.status == "DISABLED", updated
assert updated.last_updated_timestamp >= hook.last_updated_timestamp
updated = client.update_webhook(hook.webhook_id, status="ACTIVE")
assert updated.status == "ACTIVE" and updated.name == "interop-hook", updated

result = client.test_webhook(hook.webhook_id, event="model_version.created")
assert result.success is True, result
assert result.response_status == 200, result
assert result.response_body == "received", result
assert result.error_message is None, result

tag_result = client.test_webhook(second.webhook_id, event="model_version_tag.set")
assert tag_result.success is True, tag_result

errors = {}
try:
    client.get_webhook("no-such-webhook")
except MlflowException as e:
    errors["get_missing"] = e.error_code
try:
    client.create_webhook(name="bad name!", url=receiver, events=["model_version.created"])
except MlflowException as e:
    errors["bad_name"] = e.error_code
try:
    client.create_webhook(name="bad-url", url="ftp://example.com/x", events=["model_version.created"])
except MlflowException as e:
    errors["bad_url"] = e.error_code

client.create_registered_model("interop-model", tags={"team": "ml"}, description="d")
version = client.create_model_version("interop-model", source="s3://bucket/model", run_id=None)
client.set_registered_model_alias("interop-model", "champion", version.version)

client.delete_webhook(second.webhook_id)
try:
    client.get_webhook(second.webhook_id)
except MlflowException as e:
    errors["get_deleted"] = e.error_code

print(json.dumps({"webhook_id": hook.webhook_id, "errors": errors}))
print("WEBHOOKS OK")
