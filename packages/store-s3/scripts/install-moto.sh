#!/usr/bin/env bash
# Installs moto's S3-protocol server (the test S3 for @cairn/store-s3), pinned, into a cached virtualenv,
# and prints the path of its moto_server executable on the last line of stdout.
set -euo pipefail
version="${MOTO_VERSION:-5.2.1}"
venv="${CAIRN_MOTO_VENV:-$HOME/.cache/cairn/moto-$version}"
bin="$venv/bin/moto_server"
mkdir -p "$(dirname "$venv")"
# Test files start in parallel workers; on a fresh machine they would all build the same venv at once.
exec 9>"$venv.lock"
flock 9
if [ -x "$bin" ] && "$venv/bin/python" -c "import moto, flask, sys; sys.exit(0 if moto.__version__ == '$version' else 1)" 2>/dev/null; then
  echo "$bin"; exit 0
fi
python3 -m venv "$venv" >&2
"$venv/bin/pip" install -q --upgrade pip >&2 || true
"$venv/bin/pip" install -q "moto[server]==$version" >&2
"$venv/bin/python" -c "import moto; assert moto.__version__ == '$version', moto.__version__" >&2
echo "$bin"
