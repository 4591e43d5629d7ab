#!/usr/bin/env bash
# Audit every committed requirements.lock for known vulnerabilities with pip-audit, asking only
# the package registry (PyPI's advisory data: --vulnerability-service pypi), each pin as locked
# (--no-deps --disable-pip: nothing is resolved or installed).
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
  "$python_bin" - "$lock" "$out/$name.json" "$out/$name.log" <<'PY' || status=1
import json, sys
from pathlib import Path

lock, report, log = sys.argv[1:]
if not Path(report).is_file():
    print(f"{lock}: pip-audit failed: {Path(log).read_text().strip()[-300:]}")
    sys.exit(1)
deps = json.loads(Path(report).read_text())["dependencies"]
skipped = [d for d in deps if "skip_reason" in d]
vulnerable = [d for d in deps if d.get("vulns")]
reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
found = "; ".join(f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}" for d in vulnerable)
print(
    f"{lock}: {len(deps)} packages, {len(deps) - len(skipped)} audited, "
    f"{len(vulnerable)} vulnerable{f' ({found})' if found else ''}, {len(skipped)} not audited"
    + (f" ({'; '.join(reasons)})" if reasons else "")
)
sys.exit(1 if skipped or vulnerable else 0)
PY
done
exit "$status"
