# syntax=docker/dockerfile:1
# One image per code location: that location's locked dependencies, the shared platform library
# and the location's package; nothing from any other location. Build from the repository root:
#   docker build -f docker/code_location.Dockerfile --build-arg LOCATION=churn \
#     --build-arg IMAGE=mlplatform/churn:dev --build-arg CODE_VERSION="$(git rev-parse HEAD)" \
#     -t mlplatform/churn:dev .
# The container serves the location over gRPC on port 4000 (dagster code-server start, which can
# reload the code from the UI); runs launched by the DockerRunLauncher use this same image.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG LOCATION
WORKDIR /opt/mlplatform
COPY scripts/bootstrap.lock scripts/bootstrap.lock
RUN python -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --require-hashes --no-deps -r scripts/bootstrap.lock
COPY shared shared
COPY code_locations/${LOCATION} code_locations/${LOCATION}
# The lock names `-e ../../shared`, relative to the location's folder.
WORKDIR /opt/mlplatform/code_locations/${LOCATION}
RUN /opt/uv/bin/uv venv --python /usr/local/bin/python /opt/venv \
    && /opt/uv/bin/uv pip sync --no-cache --python /opt/venv/bin/python requirements.lock \
    && /opt/uv/bin/uv pip install --no-cache --no-deps --python /opt/venv/bin/python -e .

FROM ${PYTHON_IMAGE}
ARG LOCATION
ARG IMAGE=mlplatform/${LOCATION}:dev
ARG CODE_VERSION=unknown
# /data: mount point of the shared data volume; an empty named volume takes this ownership.
RUN useradd --no-log-init --system --uid 10001 --user-group --create-home dagster \
    && mkdir -p /data && chown dagster:dagster /data
# Same paths as in the build stage: the environment's editable installs point into them.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/mlplatform /opt/mlplatform
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
HEALTHCHECK --interval=15s --timeout=10s --start-period=90s --retries=3 \
    CMD ["/bin/sh", "-c", "dagster api grpc-health-check -p \"$DAGSTER_CODE_SERVER_PORT\""]
CMD ["dagster", "code-server", "start"]
