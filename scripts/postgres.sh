#!/usr/bin/env bash
# A real PostgreSQL on 127.0.0.1 for the deployment tests (tests/deployment) and for trying the
# production instance config without Docker. Debian's server, installed with apt-get when no
# server binaries exist; its own cluster (default .local/postgres, git-ignored), run as the
# `postgres` OS user because PostgreSQL refuses to run as root.
#
#   bash scripts/postgres.sh start [DB...]   idempotent: install, init, start if not running, then
#                                            the role and each DB (default: dagster mlflow);
#                                            prints "started" or "running" last
#   bash scripts/postgres.sh recreate DB...  drop (closing its connections) and create each DB
#   bash scripts/postgres.sh stop            stop this cluster's server (the PID in its
#                                            postmaster.pid), nothing else
#
# Environment: MLPLATFORM_PG_PORT (54329), MLPLATFORM_PG_USER (mlplatform),
# MLPLATFORM_PG_PASSWORD (a default for local tests only; the cluster listens on 127.0.0.1 only),
# MLPLATFORM_PG_DIR (the cluster's directory; default .local/postgres, or a directory under
# /var/lib/postgresql when the postgres user cannot reach the checkout).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${MLPLATFORM_PG_PORT:-54329}"
user="${MLPLATFORM_PG_USER:-mlplatform}"
password="${MLPLATFORM_PG_PASSWORD:-mlplatform-local-test}"

cluster_dir() {  # $MLPLATFORM_PG_DIR, else .local/postgres if the postgres user can reach it
  if [ -n "${MLPLATFORM_PG_DIR:-}" ]; then echo "$MLPLATFORM_PG_DIR"; return; fi
  mkdir -p "$root/.local"
  if runuser -u postgres -- test -x "$root/.local" 2>/dev/null; then
    echo "$root/.local/postgres"
  else  # a checkout inside a private home directory
    echo "/var/lib/postgresql/mlplatform-$port"
  fi
}

server_bin() {  # the newest installed server's bin directory, or nothing
  find /usr/lib/postgresql -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -1 |
    xargs -r dirname
}

as_postgres() { runuser -u postgres -- "$@"; }

ensure_installed() {
  [ -n "$(server_bin)" ] && return
  echo "postgres: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

ensure_cluster() {
  local bin="$1"
  [ -f "$data/PG_VERSION" ] && return
  mkdir -p "$cluster"
  chown postgres:postgres "$cluster"
  if ! as_postgres test -w "$cluster"; then
    echo "postgres: the postgres user cannot write $cluster; set MLPLATFORM_PG_DIR" >&2
    exit 1
  fi
  as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 --encoding=UTF8 --no-instructions >/dev/null
}

is_running() { "$(server_bin)/pg_isready" -q -h 127.0.0.1 -p "$port"; }

psql_admin() {  # psql_admin <sql> : as the cluster's superuser over its own socket
  as_postgres "$(server_bin)/psql" -h "$sockets" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
    -qAt -c "$1"
}

ensure_role() {
  local exists
  exists="$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$user'")"
  if [ -z "$exists" ]; then
    psql_admin "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'"
  else
    psql_admin "ALTER ROLE \"$user\" PASSWORD '$password'"
  fi
}

ensure_database() {
  local exists
  exists="$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$1'")"
  [ -n "$exists" ] || psql_admin "CREATE DATABASE \"$1\" OWNER \"$user\""
}

start() {
  local bin state
  bin="$(server_bin)"
  ensure_cluster "$bin"
  if is_running; then
    state=running
  else
    as_postgres mkdir -p "$sockets"
    as_postgres "$bin/pg_ctl" -D "$data" -l "$cluster/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$sockets" start \
      >/dev/null
    state=started
  fi
  ensure_role
  local databases=("$@") db
  [ ${#databases[@]} -gt 0 ] || databases=(dagster mlflow)
  for db in "${databases[@]}"; do ensure_database "$db"; done
  echo "$state"
}

recreate() {
  local db
  for db in "$@"; do
    psql_admin "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    ensure_database "$db"
  done
}

stop() {
  [ -f "$data/postmaster.pid" ] || { echo "postgres: not running from $data"; return; }
  as_postgres "$(server_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  echo "stopped"
}

command="${1:-start}"
shift || true
[ "$command" = start ] && ensure_installed
cluster="$(cluster_dir)"
data="$cluster/data"
sockets="$cluster/run"
case "$command" in
  start) start "$@" ;;
  recreate) recreate "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [DB...] | recreate DB... | stop" >&2; exit 2 ;;
esac
