# Python 3.11 from Debian bookworm's packages, where the official python image cannot be pulled
# (docker/base/build.sh). /usr/local/bin/python as in the official image, where the project's
# Dockerfiles look for it.
ARG DEBIAN_IMAGE=mlplatform-base/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Versions follow the mirror's current point release (it serves no older ones).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/bin/python3 /usr/local/bin/python
CMD ["python"]
