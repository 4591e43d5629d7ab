# The MLflow tracking server: backend store in Postgres (MLFLOW_BACKEND_STORE_URI), artifacts
# proxied to MLFLOW_ARTIFACTS_DESTINATION, so clients need only MLFLOW_TRACKING_URI. Build from
# the repository root:
#   docker build -f docker/mlflow.Dockerfile -t mlplatform/mlflow:dev .
# PYTHON_IMAGE: the official image, or docker/base's build of Debian's Python 3.11.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 mlflow \
    && useradd --no-log-init --system --uid 10001 --gid 10001 --create-home mlflow \
    && mkdir -p /mlflow/artifacts && chown mlflow:mlflow /mlflow/artifacts
COPY scripts/bootstrap.lock docker/install-environment.sh docker/compile-bytecode.sh \
    docker/runtime_lock.py docker/check-libraries.sh docker/mlplatform-gc.pth \
    docker/mlflow/pyproject.toml docker/mlflow/requirements.lock \
    /opt/build/
# The environment from its hash-pinned lock (install-environment.sh says how).
RUN sh /opt/build/install-environment.sh /opt/build/pyproject.toml /opt/build/requirements.lock \
    && rm -rf /opt/build
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
HEALTHCHECK --interval=10s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['MLFLOW_PORT']}/health\", timeout=5)"]
CMD ["mlflow", "server"]
