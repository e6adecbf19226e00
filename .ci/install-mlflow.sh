#!/usr/bin/env bash
# Installs the official MLflow Python package, pinned to the version every interop test uses, into a
# cached virtualenv, and prints the venv's python path on the last line of stdout.
#
# The package index this project's machines reach has mlflow==3.18.0 but not its sibling wheels
# mlflow-skinny==3.18.0 / mlflow-tracing==3.18.0. The mlflow wheel itself carries the whole `mlflow`
# module (a superset of skinny and tracing), so when the plain install fails we install the siblings'
# dependencies through their newest available release and then mlflow==3.18.0 itself without deps:
# the code that runs is 3.18.0's.
set -euo pipefail
version="${MLFLOW_VERSION:-3.18.0}"
venv="${CAIRN_MLFLOW_VENV:-$HOME/.cache/cairn/mlflow-$version}"
py="$venv/bin/python"
if [ -x "$py" ] && "$py" -c "import mlflow, psycopg2, pymysql, boto3, sys; sys.exit(0 if mlflow.__version__ == '$version' else 1)" 2>/dev/null; then
  echo "$py"; exit 0
fi
python3 -m venv "$venv" >&2
"$venv/bin/pip" install -q --upgrade pip >&2 || true
if ! "$venv/bin/pip" install -q "mlflow==$version" >&2; then
  echo "mlflow==$version's sibling wheels are missing from the index; installing their dependencies via the newest available siblings" >&2
  sibling=$("$venv/bin/pip" index versions mlflow-skinny 2>/dev/null | sed -n 's/^mlflow-skinny (\(.*\))$/\1/p')
  "$venv/bin/pip" install -q "mlflow==$sibling" >&2
  "$venv/bin/pip" install -q --no-deps --force-reinstall "mlflow==$version" >&2
fi
# The database drivers MLflow's SQLAlchemy store needs to open PostgreSQL and MySQL (schema comparisons).
"$venv/bin/pip" install -q psycopg2-binary==2.9.13 PyMySQL==1.2.4 >&2
# boto3: MLflow's client writes and reads s3:// artifact URIs itself (S3ArtifactRepository), as it does
# against a server started with --no-serve-artifacts --default-artifact-root s3://...
"$venv/bin/pip" install -q boto3==1.44.5 >&2
"$py" -c "import mlflow; assert mlflow.__version__ == '$version', mlflow.__version__" >&2
echo "$py"
