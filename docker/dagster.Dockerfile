# syntax=docker/dockerfile:1
# Webserver and daemon: Dagster, its Postgres storage and the Docker run launcher; no project
# code (the locations are reached over gRPC). Build from the repository root:
#   docker build -f docker/dagster.Dockerfile -t mlplatform/dagster:dev .
# The default command is the webserver; the daemon runs the same image with `dagster-daemon run`.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /opt/build
COPY scripts/bootstrap.lock docker/dagster/requirements.lock ./
RUN python -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --require-hashes --no-deps -r bootstrap.lock \
    && /opt/uv/bin/uv venv --python /usr/local/bin/python /opt/venv \
    && /opt/uv/bin/uv pip sync --no-cache --python /opt/venv/bin/python requirements.lock

FROM ${PYTHON_IMAGE}
# DAGSTER_HOME must be writable by the service user; /data: mount point of the shared volume.
RUN useradd --no-log-init --system --uid 10001 --user-group --create-home dagster \
    && mkdir -p /opt/dagster/dagster_home /data \
    && chown dagster:dagster /opt/dagster/dagster_home /data
COPY --from=build /opt/venv /opt/venv
COPY docker/dagster.yaml /opt/dagster/dagster_home/dagster.yaml
COPY docker/workspace.yaml /opt/dagster/workspace.yaml
# dagster-webserver reads DAGSTER_WEBSERVER_HOST/PORT; both commands load ./workspace.yaml.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    DAGSTER_WEBSERVER_HOST=0.0.0.0 \
    DAGSTER_WEBSERVER_PORT=3000
USER 10001:10001
WORKDIR /opt/dagster
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['DAGSTER_WEBSERVER_PORT']}/server_info\", timeout=5)"]
CMD ["dagster-webserver"]
