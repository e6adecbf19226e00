#!/usr/bin/env bash
# Regenerates mlflow-<version>.db for each MLflow release given (default: the ones the tests use),
# each in its own virtualenv under ${CAIRN_MLFLOW_OLD_VENVS:-$HOME/.cache/cairn}/mlflow-<version>.
# When a release's sibling wheels (mlflow-skinny/-tracing) are missing from the index, it installs the
# newest siblings' dependencies and then that mlflow without deps, as .ci/install-mlflow.sh does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.16.1 3.17.2)
for version in "${versions[@]}"; do
  venv="${CAIRN_MLFLOW_OLD_VENVS:-$HOME/.cache/cairn}/mlflow-$version"
  if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mlflow; assert mlflow.__version__ == '$version'" 2>/dev/null; then
    python3 -m venv "$venv"
    if ! "$venv/bin/pip" install -q "mlflow==$version"; then
      sibling=$("$venv/bin/pip" index versions mlflow-skinny 2>/dev/null | sed -n 's/^mlflow-skinny (\(.*\))$/\1/p')
      "$venv/bin/pip" install -q "mlflow==$sibling"
      "$venv/bin/pip" install -q --no-deps --force-reinstall "mlflow==$version"
    fi
  fi
  rm -f "$here/mlflow-$version.db"
  "$venv/bin/python" -W ignore "$here/make-fixture.py" "$here/mlflow-$version.db"
  echo "wrote mlflow-$version.db" >&2
done
