"""Writes a small tracking database with the MLflow this python imports (the upgrade tests' fixtures).

Usage: python make-fixture.py <path.db>. Fixed ids and timestamps keep the file reproducible enough
to review; the tests read back exactly what this script logs.
"""

import sys

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

path = sys.argv[1]
client = MlflowClient(tracking_uri=f"sqlite:///{path}")
experiment_id = client.create_experiment(
    "upgrade-fixture", artifact_location="file:///tmp/upgrade-fixture", tags={"team": "cairn"}
)
for index in range(2):
    run = client.create_run(experiment_id, start_time=1_700_000_000_000 + index, run_name=f"run-{index}")
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        metrics=[
            Metric("loss", 1.0 / (step + 1 + index), 1_700_000_000_000 + step, step) for step in range(3)
        ],
        params=[Param("lr", f"0.0{index + 1}"), Param("layers", "3")],
        tags=[RunTag("stage", f"s{index}")],
    )
    client.set_terminated(run_id, "FINISHED", end_time=1_700_000_100_000 + index)

# MLflow's migrations leave free pages behind; compacting keeps the committed fixture small.
import sqlite3  # noqa: E402

connection = sqlite3.connect(path)
connection.execute("VACUUM")
connection.close()
