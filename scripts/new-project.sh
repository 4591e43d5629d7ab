#!/usr/bin/env bash
# A team's own project in one command (run from anywhere in the repository):
#   bash scripts/new-project.sh NAME --task classification|regression [--daily]
#   bash scripts/new-project.sh NAME --task ... --adopt SCRIPT_DIR   (an existing train_model.py,
#     its library, requirements and Dockerfile, copied unchanged to legacy/; see README)
# writes code_locations/NAME/ (spec, synthetic data, features, model, tests, hash-pinned lock)
# and adds it to every generated file; then `bash scripts/setup.sh` builds its environment.
# The work is done by scripts/new_project.py; this finds Python 3.11 and uv for it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
exec "$python_bin" scripts/new_project.py --uv "$uv" "$@"
