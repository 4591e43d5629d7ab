# Sourced by scripts/setup.sh and scripts/new-project.sh (from the repository root):
# sets python_bin (a Python 3.11) and uv (bootstrapped from scripts/bootstrap.lock if missing).
# Needs only Python 3.11 with pip; set PYTHON=/path/to/python3.11 to choose one.

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin="$(command -v "$candidate")"; break; fi
  done
fi
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  echo "Python 3.11 is required (set PYTHON=/path/to/python3.11); found: ${python_bin:-none}" >&2
  exit 1
fi

bootstrap="$PWD/.local/bootstrap"
if [ ! -x "$bootstrap/bin/uv" ]; then
  echo "bootstrapping uv into $bootstrap" >&2
  "$python_bin" -m venv "$bootstrap"
  "$bootstrap/bin/python" -m pip install --quiet --require-hashes --no-deps -r scripts/bootstrap.lock
fi
uv="$bootstrap/bin/uv"
