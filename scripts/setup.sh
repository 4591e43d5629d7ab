#!/usr/bin/env bash
# Create or update every environment from its hash-pinned lock, compiled to bytecode once per
# lock (idempotent, fast when current):
#   .venv                      the platform: webserver, daemon, test tooling
#   shared/.venv               the platform library and its own tests
#   code_locations/*/.venv     one per ML project, with that project's own dependencies
#   code_locations/*/legacy/.venv  an adopted project's own training script environment (its
#                              requirements.lock), which the platform runs through Dagster Pipes
# Needs only Python 3.11 with pip; uv is bootstrapped from scripts/bootstrap.lock.
# With --deployment, also what the deployment tests (tests/deployment) need:
#   docker/mlflow/.venv        the MLflow tracking server, from the lock its image installs
#   docker-compose             Debian's package, to check docker/docker-compose.yml
# With --browser, also what the browser tests (tests/browser) need:
#   /usr/bin/chromium          Debian's package, driven by Playwright (in .venv); Playwright's
#                              own browser download is not used
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

deployment=false
browser=false
for flag in "$@"; do
  case "$flag" in
    --deployment) deployment=true ;;
    --browser) browser=true ;;
    *) echo "setup: unknown option $flag (expected --deployment, --browser)" >&2; exit 2 ;;
  esac
done

apt_install() {  # apt_install <package> : Debian's package, as root
  if [ "$(id -u)" != 0 ]; then
    echo "setup: $1 is missing; install Debian's package as root: apt-get install $1" >&2
    exit 1
  fi
  echo "setup: installing Debian's $1"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

source scripts/bootstrap.sh
# A new code_locations/<name>/ joins every generated file (workspace, compose, Helm) first.
"$python_bin" scripts/projects.py generate

# sync_env <dir> [<requirements file>...] : <dir>/.venv holding exactly what
# <dir>/requirements.lock and any further files list (a package's own editable install),
# bytecode compiled. All in one sync: synced from its lock alone and then installed again, a
# package was uninstalled and rebuilt on every run (about 1 s each, missing meanwhile).
sync_env() {
  local dir="$1"
  shift
  echo "setup: $dir/.venv <- $dir/requirements.lock"
  [ -x "$dir/.venv/bin/python" ] || "$uv" venv --quiet --python "$python_bin" "$dir/.venv"
  (cd "$dir" && VIRTUAL_ENV="$dir/.venv" "$uv" pip sync --quiet --python "$dir/.venv/bin/python" requirements.lock "$@")
  compile_env "$dir"
}

# tune_env : the environment sync_env made last (its site-packages, the last compile_env
# recorded) starts every process with the platform's garbage-collection thresholds
# (docker/mlplatform-gc.pth says why), as the images do.
tune_env() {
  local site="${compiled_sites[-1]}"
  cmp -s "$root/docker/mlplatform-gc.pth" "$site/mlplatform-gc.pth" ||
    cp "$root/docker/mlplatform-gc.pth" "$site/mlplatform-gc.pth"
}

# compile_env <dir> : every installed module of <dir>/.venv compiled to bytecode
# (docker/compile-bytecode.sh, as the images do) once per lock and compile rule. Where
# PYTHONDONTWRITEBYTECODE is set (this kind of machine sets it), Python never writes bytecode,
# and every process (each test, code server, daemon, run worker) would compile all its imports
# again (10 s of CPU for a test process importing Dagster, MLflow and Evidently, under the
# profiler). The bytecode of modules an environment compiled before shares with it (the same
# file, linked from uv's cache) is linked in first (scripts/seed_bytecode.py): a location's
# environment then costs about 25 s of CPU instead of 65.
compiled_sites=()
compile_env() {
  local dir="$1" stamp="$1/.venv/.bytecode-compiled" lock site
  site="$("$dir/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
  lock="$(cat "$dir/requirements.lock" "$root/docker/compile-bytecode.sh" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$lock" ]; then
    echo "setup: compiling $dir/.venv to bytecode (once per lock)"
    [ ${#compiled_sites[@]} -gt 0 ] &&
      "$dir/.venv/bin/python" "$root/scripts/seed_bytecode.py" "$site" "${compiled_sites[@]}"
    sh "$root/docker/compile-bytecode.sh" "$dir/.venv/bin/python" "$site"
    echo "$lock" >"$stamp"
  fi
  compiled_sites+=("$site")
}

sync_env "$root"
tune_env
# shared and every location: the package itself is not in its lock (the lock pins what it needs);
# it is installed editable beside what the lock pins, without further dependencies.
mapfile -t projects < <("$python_bin" scripts/projects.py list)
for package in "$root/shared" "${projects[@]/#/$root/code_locations/}"; do
  sync_env "$package" <(printf -- '-e %s\n' "$package")
  tune_env
done
# Adopted projects: the team's training script runs in its own interpreter, not the location's,
# left as the team made it (no platform tuning).
for legacy in "$root"/code_locations/*/legacy; do
  [ -f "$legacy/requirements.lock" ] && sync_env "$legacy"
done
if $deployment; then
  sync_env "$root/docker/mlflow"
  tune_env
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
fi
if $browser; then
  [ -x /usr/bin/chromium ] || apt_install chromium
fi
echo "setup: environments ready"
