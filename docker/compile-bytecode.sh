#!/bin/sh
# compile-bytecode <python> <site-packages>: every installed module compiled to bytecode, as
# scripts/setup.sh does for each local environment and install-environment.sh for each image.
# Where Python cannot write bytecode (an image's runtime user; PYTHONDONTWRITEBYTECODE, which
# some machines set), every process would otherwise compile all of its imports again.
# The packages' own test modules (test_*.py, conftest.py under a tests/ folder: most of 70 MB
# that nothing imports) are left out. Whole tests/ folders are not: some are runtime code that
# every drift report imports (evidently.tests, evidently.legacy.tests; about 0.5 s to compile in
# each process).
set -eu
"$1" -m compileall -q -j 0 -x '/tests/(.*/)?(test_[^/]*|conftest)\.py$' "$2"
