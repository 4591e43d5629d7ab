# One image per code location: that location's locked dependencies, the shared platform library
# and the location's package; nothing from any other location. Build from the repository root:
#   docker build -f docker/code_location.Dockerfile --build-arg LOCATION=churn \
#     --build-arg IMAGE=mlplatform/churn:dev --build-arg CODE_VERSION="$(git rev-parse HEAD)" \
#     -t mlplatform/churn:dev .
# The container serves the location over gRPC on port 4000 (dagster code-server start, which can
# reload the code from the UI); runs launched by the DockerRunLauncher use this same image, so
# the image has no HEALTHCHECK: a run has no server to check. docker-compose.yml checks the code
# servers. PYTHON_IMAGE: the official image, or docker/base's build of Debian's Python 3.11.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# One stage: the environment is built where it runs, so the image has no second copy of it to
# make (copying it between stages took as long as installing it).
FROM ${PYTHON_IMAGE}
# libgomp1: OpenMP runtime of wheels that do not bundle it (LightGBM). /data: mount point of the
# shared data volume; an empty named volume takes this ownership. Versions follow the base
# image's Debian point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 dagster \
    && useradd --no-log-init --system --uid 10001 --gid 10001 --create-home dagster \
    && mkdir -p /data && chown dagster:dagster /data
WORKDIR /opt/mlplatform
# Dependencies before sources, so that a code change reinstalls none of them. First the platform
# library's (shared/requirements.lock): the same layer in every location's image, built once.
# Then the location's own lock, which pins the same versions save a few: the environment ends
# exactly as that lock says (install-environment.sh says how).
COPY scripts/bootstrap.lock docker/install-environment.sh docker/compile-bytecode.sh \
    docker/runtime_lock.py docker/check-libraries.sh docker/mlplatform-gc.pth \
    shared/pyproject.toml shared/requirements.lock /opt/build/
RUN sh /opt/build/install-environment.sh /opt/build/pyproject.toml /opt/build/requirements.lock \
    && rm -rf /opt/build
# Build arguments are declared where they are first used: each one is part of the cache key of
# every RUN after it (a new CODE_VERSION must not reinstall the dependencies).
ARG LOCATION
COPY scripts/bootstrap.lock docker/install-environment.sh docker/compile-bytecode.sh \
    docker/runtime_lock.py docker/check-libraries.sh docker/mlplatform-gc.pth /opt/build/
COPY code_locations/${LOCATION}/pyproject.toml code_locations/${LOCATION}/requirements.lock \
    /opt/build/location/
RUN sh /opt/build/install-environment.sh /opt/build/location/pyproject.toml \
        /opt/build/location/requirements.lock \
    && rm -rf /opt/build
COPY shared/src shared/src
COPY code_locations/${LOCATION}/src code_locations/${LOCATION}/src
# The platform library and the location's package from their sources, as the lock's editable
# installs make them (a path entry), without building a package.
RUN echo /opt/mlplatform/shared/src >/opt/venv/lib/python3.11/site-packages/mlplatform.pth \
    && echo "/opt/mlplatform/code_locations/${LOCATION}/src" \
        >"/opt/venv/lib/python3.11/site-packages/${LOCATION}.pth" \
    && python -m compileall -q shared/src "code_locations/${LOCATION}/src" \
    && /opt/venv/bin/python -c "import mlplatform, ${LOCATION}"
ARG IMAGE=mlplatform/${LOCATION}:dev
ARG CODE_VERSION=unknown
# The code server takes its target, host and port from these (dagster code-server start reads
# DAGSTER_MODULE_NAME, DAGSTER_ATTRIBUTE, DAGSTER_CODE_SERVER_HOST/PORT), so CMD is the same
# command for every location. DAGSTER_CURRENT_IMAGE tells the run launcher which image runs the
# location's runs; MLPLATFORM_CODE_VERSION is the lineage tag on model versions (no git here).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DO_NOT_TRACK=1 \
    MLPLATFORM_CODE_VERSION=${CODE_VERSION} \
    DAGSTER_CURRENT_IMAGE=${IMAGE} \
    DAGSTER_LOCATION_NAME=${LOCATION} \
    DAGSTER_MODULE_NAME=${LOCATION}.definitions \
    DAGSTER_ATTRIBUTE=defs \
    DAGSTER_CODE_SERVER_HOST=0.0.0.0 \
    DAGSTER_CODE_SERVER_PORT=4000
USER 10001:10001
WORKDIR /home/dagster
EXPOSE 4000
CMD ["dagster", "code-server", "start"]
