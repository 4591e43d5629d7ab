#!/bin/sh
# install-environment <pyproject.toml> <requirements.lock>: /opt/venv made exactly the lock's
# runtime part (created, or synced if an earlier layer made it), as every image of docker/
# builds its environment, from files copied to /opt/build:
#  - the lock without its test extra and editable lines (runtime_lock.py), every requirement
#    hash-checked, installed by uv, itself installed from its hash-pinned lock (bootstrap.lock);
#  - bytecode compiled (compile-bytecode.sh), because the runtime user cannot write it: without
#    it every run process would compile its imports again (about 13 s each);
#  - every shared object must find its libraries (check-libraries.sh);
#  - every process starts with the platform's garbage-collection thresholds (mlplatform-gc.pth).
# The caller removes /opt/build in the same RUN, so uv never reaches the image.
set -eu
build=/opt/build
python -m venv "$build/uv"
"$build/uv/bin/pip" install --no-cache-dir --require-hashes --no-deps -r "$build/bootstrap.lock"
python "$build/runtime_lock.py" "$1" "$2" >"$build/runtime.lock"
[ -x /opt/venv/bin/python ] || "$build/uv/bin/uv" venv --python /usr/local/bin/python /opt/venv
"$build/uv/bin/uv" pip sync --no-cache --require-hashes --python /opt/venv/bin/python \
  "$build/runtime.lock"
sh "$build/compile-bytecode.sh" /opt/venv/bin/python /opt/venv/lib/python3.11/site-packages
cp "$build/mlplatform-gc.pth" /opt/venv/lib/python3.11/site-packages/
sh "$build/check-libraries.sh" /opt/venv
