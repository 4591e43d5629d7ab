"""Where human-readable reports (drift HTML) are written, outside the IO manager's assets."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class ReportStore(dg.ConfigurableResource):
    """Report files under ``<root>/<project>/``.

    Example: ``ReportStore(root="/data/reports").path_for("churn", "drift_report", run_id)``
    """

    root: str

    def path_for(self, project: str, report: str, run_id: str) -> Path:
        return Path(self.root) / project / f"{report}-{run_id}.html"
