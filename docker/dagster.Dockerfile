# Webserver and daemon: Dagster, its Postgres storage and the Docker run launcher; no project
# code (the locations are reached over gRPC). Build from the repository root:
#   docker build -f docker/dagster.Dockerfile -t mlplatform/dagster:dev .
# The default command is the webserver; the daemon runs the same image with `dagster-daemon run`.
# PYTHON_IMAGE: the official image, or docker/base's build of Debian's Python 3.11.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE}
# DAGSTER_HOME must be writable by the service user; /data: mount point of the shared volume.
RUN groupadd --system --gid 10001 dagster \
    && useradd --no-log-init --system --uid 10001 --gid 10001 --create-home dagster \
    && mkdir -p /opt/dagster/dagster_home /data \
    && chown dagster:dagster /opt/dagster/dagster_home /data
COPY scripts/bootstrap.lock docker/install-environment.sh docker/compile-bytecode.sh \
    docker/runtime_lock.py docker/check-libraries.sh docker/mlplatform-gc.pth \
    docker/dagster/pyproject.toml docker/dagster/requirements.lock \
    /opt/build/
# The environment from its hash-pinned lock (install-environment.sh says how).
RUN sh /opt/build/install-environment.sh /opt/build/pyproject.toml /opt/build/requirements.lock \
    && rm -rf /opt/build
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
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['DAGSTER_WEBSERVER_PORT']}/server_info\", timeout=5)"]
# --db-pool-recycle 0: the webserver is the one Dagster process that pools its Postgres
# connections (the daemon and the runs connect per use), and a pooled connection is dead after
# Postgres restarts: the next request would fail on it. With 0 every use takes a new connection,
# as the other processes do, and connecting is retried by dagster-postgres.
CMD ["dagster-webserver", "--db-pool-recycle", "0"]
