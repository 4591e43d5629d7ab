#!/usr/bin/env bash
# The container suite (tests/containers, marker `containers`): builds every image, brings the
# compose stack in docker/ up and exercises it through the webserver's GraphQL API.
#   bash scripts/test-containers.sh            engine, base images, images, then the tests
#   bash scripts/test-containers.sh --cold     the same from an empty image cache (.local/docker)
# Further arguments go to pytest.
#
# Engine: a running one is used as it is. Otherwise, as root on Debian, Debian's docker.io,
# docker-compose and debootstrap are installed if missing, and dockerd is started with its data
# under .local/docker/ and stopped (by its pid) at the end; the images stay there as a cache.
# Anywhere else the suite says how to get an engine, and the tests skip (fail under CI=true).
# Base images: the official python and postgres images when they can be pulled, else equivalents
# built from the OS package mirror by docker/base/build.sh.
# Figures (build times, image sizes, startup and chain seconds) are printed at the end and kept
# in .local/docker/figures.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.local/docker"
reports="$root/.local/test-reports"
figures="$state/figures.json"
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 DO_NOT_TRACK=1
export MLPLATFORM_IMAGE_TAG="${MLPLATFORM_IMAGE_TAG:-containertest}"
export MLPLATFORM_CONTAINER_FIGURES="$figures"
dockerd_pid=""

# One suite at a time on this checkout: two would share the engine, the compose project and the
# fixed network and volume names.
mkdir -p "$root/.local"
exec 9>"$root/.local/test-containers.lock"
if ! flock -n 9; then
  echo "containers: another container suite runs in this checkout; waiting for it" >&2
  flock 9
fi

cold=false
if [ "${1:-}" = --cold ]; then cold=true; shift; fi
# --cold: no images (the engine's data, under .local/docker, goes) before the clock starts.
if $cold && ! docker info >/dev/null 2>&1; then rm -rf "$state"; fi
suite_start=$SECONDS

say() { echo "containers: $*"; }

stop_engine() {  # only the dockerd this script started, by its pid
  [ -n "$dockerd_pid" ] || return 0
  say "stopping dockerd (pid $dockerd_pid)"
  kill "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$dockerd_pid" 2>/dev/null || true
}
trap stop_engine EXIT

no_engine() {  # say how to get one; the tests then skip, or fail under CI=true
  cat >&2 <<'EOF'
containers: no Docker engine answers (`docker info`). Start one, for example:
  Debian, as root:  apt-get install docker.io docker-compose debootstrap   (this script does it)
  elsewhere:        https://docs.docker.com/engine/install/ (and the compose plugin)
EOF
  if [ "${CI:-}" = true ]; then
    echo "containers: CI=true: the container tests fail without an engine" >&2
  else
    echo "containers: the container tests are skipped" >&2
  fi
  engine=false
}

install_tools() {  # Debian's packages for what is missing
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 \
    || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian's ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

start_engine() {
  mkdir -p "$state"
  dockerd --data-root "$state/root" --exec-root "$state/exec" -p "$state/dockerd.pid" \
    -H unix:///var/run/docker.sock >"$state/dockerd.log" 2>&1 9>&- &
  dockerd_pid=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 1
  done
  tail -20 "$state/dockerd.log" >&2
  echo "containers: dockerd did not start (log: $state/dockerd.log)" >&2
  exit 1
}

ensure_engine() {
  if docker info >/dev/null 2>&1; then
    $cold && say "an engine already runs: --cold leaves its images alone"
    say "using the running engine"
    return 0
  fi
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
    no_engine
    return 0
  fi
  install_tools
  start_engine
  say "dockerd started (pid $dockerd_pid, data in $state)"
}

pullable() {  # pullable <image>: present, or pulled within a minute
  docker image inspect "$1" >/dev/null 2>&1 || timeout 60 docker pull -q "$1" >/dev/null 2>&1
}

ensure_base_images() {
  local python="${MLPLATFORM_PYTHON_IMAGE:-python:3.11.13-slim-bookworm}"
  local postgres="${MLPLATFORM_POSTGRES_IMAGE:-postgres:15-bookworm}"
  if pullable "$python" && pullable "$postgres"; then
    say "base images: $python, $postgres"
    return 0
  fi
  say "official base images cannot be pulled: building them from Debian's packages"
  command -v debootstrap >/dev/null 2>&1 || install_tools
  bash docker/base/build.sh
  export MLPLATFORM_PYTHON_IMAGE=mlplatform-base/python:3.11-bookworm
  export MLPLATFORM_POSTGRES_IMAGE=mlplatform-base/postgres:15-bookworm
}

compose_v2=false
docker compose version >/dev/null 2>&1 && compose_v2=true
compose() {  # v2 (`docker compose`) when the CLI has it, else v1 (`docker-compose`)
  if $compose_v2; then docker compose "$@"; else docker-compose "$@"; fi
}

record() {  # record <key> <value>: one figure into the figures file
  .venv/bin/python - "$figures" "$1" "$2" <<'EOF'
import json, sys
from pathlib import Path
path, key, value = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
data = json.loads(path.read_text()) if path.exists() else {}
data[key] = json.loads(value)
path.write_text(json.dumps(data, indent=2) + "\n")
EOF
}

compose_build() {  # compose_build <env file> <service>...: in parallel, one image per service
  [ $# -gt 1 ] || return 0
  local env_file="$1"
  shift
  # v1 builds one image at a time unless asked; v2 builds in parallel by itself.
  (cd docker && MLPLATFORM_CODE_VERSION="$(git rev-parse HEAD)" \
    compose --env-file "$env_file" build $($compose_v2 || echo --parallel) "$@")
}

build() {  # build <env file>: every image once (the daemon runs the webserver's image)
  local services later
  # An adopted project's training image (<host>-legacy, profile legacy-images: built, never
  # started by `up`) is built with its own context, after the others.
  services="$(cd docker && compose --env-file "$1" config --services | grep -vx daemon \
    | grep -v -- '-legacy$')"
  # The location images share their first layers. Built in parallel from nothing, each build
  # makes its own copy of them and a rebuild finds the cache of one location only: build the
  # first location (beside the other images), then the other locations on its layers.
  later="$(echo "$services" | grep -vxE 'postgres|mlflow|webserver' | tail -n +2)"
  # shellcheck disable=SC2046  # one service per word
  compose_build "$1" $(echo "$services" | grep -vxF "$later")
  # shellcheck disable=SC2086
  compose_build "$1" $later
  build_legacy_images
}

build_legacy_images() {  # the training image of every adopted project (legacy/Dockerfile)
  local dockerfile folder name
  for dockerfile in code_locations/*/legacy/Dockerfile; do
    [ -f "$dockerfile" ] || continue
    folder="$(dirname "$dockerfile")"
    name="$(basename "$(dirname "$folder")")"
    docker build -q -t "mlplatform/$name-legacy:$MLPLATFORM_IMAGE_TAG" \
      --build-arg PYTHON_IMAGE="${MLPLATFORM_PYTHON_IMAGE:-python:3.11.13-slim-bookworm}" "$folder"
  done
}

build_images() {  # timed; cold when this tag's images were not there yet, then a warm rebuild
  local env_file="$state/build.env" start kind=warm
  mkdir -p "$state"
  printf 'POSTGRES_PASSWORD=build-only\nDOCKER_GID=0\n' >"$env_file"
  docker image inspect "mlplatform/dagster:$MLPLATFORM_IMAGE_TAG" >/dev/null 2>&1 || kind=cold
  start=$SECONDS
  build "$env_file" >"$state/build.log" 2>&1 \
    || { tail -40 "$state/build.log" >&2; echo "containers: build failed ($state/build.log)" >&2; exit 1; }
  record "build_${kind}_s" "$((SECONDS - start))"
  say "images built ($kind cache) in $((SECONDS - start)) s"
  if [ "$kind" = cold ]; then
    start=$SECONDS
    build "$env_file" >>"$state/build.log" 2>&1
    record build_warm_s "$((SECONDS - start))"
    say "rebuilt with a warm cache in $((SECONDS - start)) s"
  fi
}

[ -x .venv/bin/python ] || { echo "containers: run \`bash scripts/setup.sh\` first" >&2; exit 1; }
mkdir -p "$reports" "$state"
rm -f "$figures"
engine=true
ensure_engine
if $engine; then
  record engine_ready_s "$((SECONDS - suite_start))"
  ensure_base_images
  record base_images_ready_s "$((SECONDS - suite_start))"
  build_images
fi
status=0
.venv/bin/python -m pytest tests/containers -m containers \
  --junitxml="$reports/containers.xml" "$@" || status=$?
record suite_s "$((SECONDS - suite_start))"
say "figures ($figures):"
cat "$figures"
exit $status
