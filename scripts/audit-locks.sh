#!/usr/bin/env bash
# Audit every committed requirements.lock for known vulnerabilities with pip-audit, asking only
# the package registry (PyPI's advisory data: --vulnerability-service pypi), each pin as locked
# (--no-deps --disable-pip: nothing is resolved or installed). A pin pip-audit could not audit is
# audited from the registry's project page when it is the latest release (scripts/audit_locks.py).
#   bash scripts/audit-locks.sh            every lock
#   bash scripts/audit-locks.sh LOCK...    these locks
# One line per lock: packages, audited, vulnerable (with the advisories), not audited (with why).
# Exits 1 if a package is vulnerable or could not be audited: a lock that could not be checked is
# never reported as clean. The JSON reports go to .local/audit/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/bootstrap.sh
out="$root/.local/audit"
mkdir -p "$out"
if [ $# -gt 0 ]; then locks=("$@"); else mapfile -t locks < <(git ls-files '*requirements.lock'); fi
status=0
for lock in "${locks[@]}"; do
  name="$(echo "$lock" | tr '/' '_')"
  pins="$out/$name.pins"
  # Only the name==version pins: editable path entries (-e ../../shared) are our own code.
  grep -oE '^[A-Za-z0-9_.-]+==[^ ;\\]+' "$lock" >"$pins"
  "$uv" tool run --quiet --from "pip-audit==2.10.1" pip-audit \
    --vulnerability-service pypi --no-deps --disable-pip --progress-spinner off \
    --format json --output "$out/$name.json" -r "$pins" 2>"$out/$name.log" || true
  "$python_bin" scripts/audit_locks.py "$lock" "$pins" "$out/$name.json" "$out/$name.log" "$out/pypi" || status=1
done
exit "$status"
