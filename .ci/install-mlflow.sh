#!/usr/bin/env bash
# Installs the official MLflow Python package, pinned to the version every interop test uses, into a
# cached virtualenv, and prints the venv's python path on the last line of stdout.
#
# The `mlflow` wheel pins its sibling wheels to its own version (mlflow-skinny==V, mlflow-tracing==V),
# and the package index this project's machines reach does not always have all of them (today it has
# mlflow-skinny 3.18.0 but not mlflow-tracing 3.18.0). The `mlflow` wheel carries the whole `mlflow`
# module (a superset of skinny's and tracing's), so when the plain install fails this script installs
# what the wheel requires with each missing sibling replaced by its newest release up to V (for that
# sibling's own dependencies), then `mlflow==V` itself with --no-deps: the code that runs is V's.
#
# Settings: MLFLOW_VERSION (default 3.18.0), CAIRN_MLFLOW_VENV (default ~/.cache/cairn/mlflow-<version>).
# PIP_CACHE_DIR / PIP_NO_CACHE_DIR are pip's own; .ci/run points PIP_CACHE_DIR at an empty directory.
set -euo pipefail
version="${MLFLOW_VERSION:-3.18.0}"
venv="${CAIRN_MLFLOW_VENV:-$HOME/.cache/cairn/mlflow-$version}"
py="$venv/bin/python"
# The ONNX interop tests (@cairn/onnx): sklearn models converted by skl2onnx, saved by mlflow.onnx and
# scored by onnxruntime, the Python twin of onnxruntime-node.
skl2onnx_version=1.20.0
onnx_version=1.23.2
onnxruntime_version=1.31.1
ready() {
  "$py" -c "import mlflow, psycopg2, pymysql, boto3, skl2onnx, onnx, onnxruntime, sys; sys.exit(0 if mlflow.__version__ == '$version' and (skl2onnx.__version__, onnx.__version__, onnxruntime.__version__) == ('$skl2onnx_version', '$onnx_version', '$onnxruntime_version') else 1)" 2>/dev/null
}
if [ -x "$py" ] && ready; then
  echo "$py"
  exit 0
fi
python3 -m venv "$venv" >&2
pip() { "$py" -m pip --disable-pip-version-check "$@"; }
pip install -q --upgrade pip >&2 || true

if ! pip install -q "mlflow==$version" >&2; then
  echo "install-mlflow: mlflow==$version cannot be installed with its pinned siblings; resolving them one by one" >&2
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  pip download -q --no-deps "mlflow==$version" -d "$scratch" >&2
  # mlflow's own requirements (no extras), each `mlflow-*==V` sibling kept when the index has V and
  # otherwise relaxed to `<=V`, so pip takes the newest sibling that exists for its dependencies.
  mapfile -t requirements < <("$py" - "$scratch"/mlflow-*.whl "$version" <<'PY'
import email.parser, json, subprocess, sys, zipfile
try:
    from packaging.requirements import Requirement
except ImportError:  # a bare venv has only pip's vendored copy
    from pip._vendor.packaging.requirements import Requirement

wheel, version = sys.argv[1], sys.argv[2]
probe = wheel + ".probe"
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = email.parser.Parser().parsestr(archive.read(name).decode())

def available(project: str) -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", probe, f"{project}=={version}"],
        capture_output=True, text=True,
    )
    return result.returncode == 0

for line in metadata.get_all("Requires-Dist") or []:
    requirement = Requirement(line)
    if requirement.marker is not None and "extra" in str(requirement.marker):
        continue
    if requirement.marker is not None and not requirement.marker.evaluate():
        continue
    if requirement.name.startswith("mlflow-") and str(requirement.specifier) == f"=={version}":
        if available(requirement.name):
            print(f"{requirement.name}=={version}")
        else:
            print(f"{requirement.name}<={version}")
            print(f"install-mlflow: {requirement.name}=={version} is not on the index; using the newest release up to it", file=sys.stderr)
        continue
    print(f"{requirement.name}{requirement.specifier}")
PY
  )
  pip install -q "${requirements[@]}" >&2
  pip install -q --no-deps --force-reinstall "mlflow==$version" >&2
fi
# The database drivers MLflow's SQLAlchemy store needs to open PostgreSQL and MySQL (schema comparisons).
pip install -q psycopg2-binary==2.9.13 PyMySQL==1.2.4 >&2
# boto3: MLflow's client writes and reads s3:// artifact URIs itself (S3ArtifactRepository), as it does
# against a server started with --no-serve-artifacts --default-artifact-root s3://...
pip install -q boto3==1.44.5 >&2
# skl2onnx, onnx, onnxruntime: wheels only (no source builds in CI); when a pin is not on the index, the
# newest release up to it, as for mlflow's siblings above.
for requirement in "skl2onnx==$skl2onnx_version" "onnx==$onnx_version" "onnxruntime==$onnxruntime_version"; do
  if ! pip install -q --only-binary=:all: "$requirement" >&2; then
    echo "install-mlflow: $requirement is not on the index; using the newest release up to it" >&2
    pip install -q --only-binary=:all: "${requirement/==/<=}" >&2
  fi
done
"$py" -c "import mlflow; assert mlflow.__version__ == '$version', mlflow.__version__" >&2
# A pin replaced by an older release above still fails ready()'s version check, so the final check asks only
# that everything imports (the next run tries the pins again).
"$py" -c "import mlflow, psycopg2, pymysql, boto3, skl2onnx, onnx, onnxruntime" 2>/dev/null || { echo "install-mlflow: the venv at $venv still cannot import mlflow $version, its drivers and the ONNX packages" >&2; exit 1; }
echo "$py"
