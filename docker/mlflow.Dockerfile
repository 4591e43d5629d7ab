# syntax=docker/dockerfile:1
# The MLflow tracking server: backend store in Postgres (MLFLOW_BACKEND_STORE_URI), artifacts
# proxied to MLFLOW_ARTIFACTS_DESTINATION, so clients need only MLFLOW_TRACKING_URI. Build from
# the repository root:
#   docker build -f docker/mlflow.Dockerfile -t mlplatform/mlflow:dev .
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /opt/build
COPY scripts/bootstrap.lock docker/mlflow/requirements.lock ./
RUN python -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --require-hashes --no-deps -r bootstrap.lock \
    && /opt/uv/bin/uv venv --python /usr/local/bin/python /opt/venv \
    && /opt/uv/bin/uv pip sync --no-cache --python /opt/venv/bin/python requirements.lock

FROM ${PYTHON_IMAGE}
RUN useradd --no-log-init --system --uid 10001 --user-group --create-home mlflow \
    && mkdir -p /mlflow/artifacts && chown mlflow:mlflow /mlflow/artifacts
COPY --from=build /opt/venv /opt/venv
# `mlflow server` reads each of these (MLFLOW_HOST, _PORT, _WORKERS, _ARTIFACTS_DESTINATION,
# _SERVER_ALLOWED_HOSTS). Without the job runner the server starts in about half the time; the
# platform runs no MLflow jobs. Allowed hosts: the compose service name and local access.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MLFLOW_HOST=0.0.0.0 \
    MLFLOW_PORT=5000 \
    MLFLOW_WORKERS=2 \
    MLFLOW_ARTIFACTS_DESTINATION=/mlflow/artifacts \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    MLFLOW_SERVER_ALLOWED_HOSTS=mlflow,mlflow:*,localhost,localhost:*,127.0.0.1,127.0.0.1:*
USER 10001:10001
WORKDIR /home/mlflow
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['MLFLOW_PORT']}/health\", timeout=5)"]
CMD ["mlflow", "server"]
