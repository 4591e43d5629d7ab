#!/usr/bin/env bash
# Base images from Debian's packages, for machines that cannot pull the official ones (no
# registry, air-gapped): the OS package mirror is the only source.
#   mlplatform-base/debian:bookworm     Debian bookworm (minbase) made by debootstrap
#   mlplatform-base/python:3.11-bookworm   + Debian's Python 3.11 (python3, python3-venv), at
#                                       /usr/local/bin/python like the official python image
#   mlplatform-base/postgres:15-bookworm   + Debian's PostgreSQL 15, with an entrypoint that
#                                       follows the official postgres image's (POSTGRES_* and
#                                       /docker-entrypoint-initdb.d)
# Usage, as root on Debian with docker and debootstrap installed, from anywhere:
#   bash docker/base/build.sh
# then build the project's images on them (docker/README.md, "Without a registry"):
#   MLPLATFORM_PYTHON_IMAGE=mlplatform-base/python:3.11-bookworm \
#   MLPLATFORM_POSTGRES_IMAGE=mlplatform-base/postgres:15-bookworm docker compose build
# The mirror is this machine's own (its apt sources), read at run time and never written into
# the repository; the rootfs also gets this machine's apt sources and CA bundle, so that apt and
# pip inside image builds reach the same registries. Images already present are kept.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${MLPLATFORM_BASE_WORKDIR:-$root/.local/docker-base}"
debian=mlplatform-base/debian:bookworm
python=mlplatform-base/python:3.11-bookworm
postgres=mlplatform-base/postgres:15-bookworm
export DOCKER_BUILDKIT=0

present() { docker image inspect "$1" >/dev/null 2>&1; }

mirror() {  # the first Debian archive URI for bookworm in this machine's apt sources
  local uri
  uri="$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  [ -n "$uri" ] || uri="$(awk '$1 == "deb" && / bookworm / {for (i = 2; i <= NF; i++)
    if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)"
  [ -n "$uri" ] || { echo "base: no bookworm mirror in this machine's apt sources" >&2; exit 1; }
  echo "$uri"
}

slim_rootfs() {  # slim_rootfs <dir>: apt and dpkg settings of Debian's slim images, host sources
  local rootfs="$1"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  rm -f "$rootfs"/etc/apt/sources.list
  cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null || true
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  [ -f /etc/pip.conf ] && cp /etc/pip.conf "$rootfs/etc/pip.conf"
  cat >"$rootfs/etc/apt/apt.conf.d/90mlplatform-slim" <<'CONF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
CONF
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90mlplatform-slim" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CONF
}

build_debian() {
  local rootfs="$work/rootfs"
  rm -rf "$rootfs" && mkdir -p "$work"
  echo "base: debootstrap bookworm (minbase) from this machine's mirror"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$(mirror)" \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  slim_rootfs "$rootfs"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["bash"]' - "$debian" >/dev/null
  rm -rf "$rootfs"
}

build_on_debian() {  # build_on_debian <image> <Dockerfile in docker/base>
  docker build -q -f "$here/$2" --build-arg "DEBIAN_IMAGE=$debian" -t "$1" "$here" >/dev/null
}

start=$SECONDS
present "$debian" || build_debian
pids=()
present "$python" || { build_on_debian "$python" python.Dockerfile & pids+=($!); }
present "$postgres" || { build_on_debian "$postgres" postgres.Dockerfile & pids+=($!); }
for pid in "${pids[@]}"; do wait "$pid"; done
echo "base: $debian, $python, $postgres ready in $((SECONDS - start)) s"
