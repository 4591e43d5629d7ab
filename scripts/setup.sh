#!/usr/bin/env bash
# Create or update every environment from its hash-pinned lock (idempotent, fast when current):
#   .venv                      the platform: webserver, daemon, test tooling
#   code_locations/*/.venv     one per ML project, with that project's own dependencies
# Needs only Python 3.11 with pip; uv is bootstrapped from scripts/bootstrap.lock.
# With --deployment, also what the deployment tests (tests/deployment) need:
#   docker/mlflow/.venv        the MLflow tracking server, from the lock its image installs
#   docker-compose             Debian's package, to check docker/docker-compose.yml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin="$(command -v "$candidate")"; break; fi
  done
fi
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11); found: ${python_bin:-none}" >&2
  exit 1
fi

bootstrap="$root/.local/bootstrap"
if [ ! -x "$bootstrap/bin/uv" ]; then
  echo "setup: bootstrapping uv into $bootstrap"
  "$python_bin" -m venv "$bootstrap"
  "$bootstrap/bin/python" -m pip install --quiet --require-hashes --no-deps -r scripts/bootstrap.lock
fi
uv="$bootstrap/bin/uv"

sync_env() {  # sync_env <dir> : <dir>/.venv from <dir>/requirements.lock
  local dir="$1"
  echo "setup: $dir/.venv <- $dir/requirements.lock"
  [ -x "$dir/.venv/bin/python" ] || "$uv" venv --quiet --python "$python_bin" "$dir/.venv"
  (cd "$dir" && VIRTUAL_ENV="$dir/.venv" "$uv" pip sync --quiet --python "$dir/.venv/bin/python" requirements.lock)
}

sync_env "$root"
for location in "$root"/code_locations/*/; do
  location="${location%/}"
  sync_env "$location"
  # The location's own package (not in its lock: the lock pins what it depends on).
  VIRTUAL_ENV="$location/.venv" "$uv" pip install --quiet --no-deps --python "$location/.venv/bin/python" -e "$location"
done
if [ "${1:-}" = "--deployment" ]; then
  sync_env "$root/docker/mlflow"
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "setup: installing Debian's docker-compose"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  fi
fi
echo "setup: environments ready"
