"""What the standard assets show in the UI: check results, previews, schemas, and the partition
a step runs for."""

from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.markdown import markdown_table
from mlplatform.orchestration.assets.days import DayCheck

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.steps.validation import RuleResult

# DataFrame inputs of the assets are left unannotated: Dagster resolves annotations when the
# location loads, and naming pandas there would import it into every code server.


def rule_check(check: str, result: "RuleResult", **metadata: Any) -> DayCheck:
    """An asset check result from a pure rule, with its problems listed."""
    return DayCheck(
        name=check,
        passed=result.passed,
        description=result.summary,
        metadata={
            "rule": result.rule,
            "problems": "\n".join(result.problems) or "none",
            **metadata,
        },
    )


def preview(frame: "pd.DataFrame", rows: int = 5) -> dg.MetadataValue:
    head = frame.head(rows)
    return dg.MetadataValue.md(markdown_table([str(c) for c in head.columns], head.values))


def table_schema(frame: "pd.DataFrame") -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()]
    )


def frame_metadata(frame: "pd.DataFrame") -> dict[str, Any]:
    """Row count, column schema and a Markdown preview of a stored frame."""
    return {
        "dagster/row_count": len(frame),
        "dagster/column_schema": table_schema(frame),
        "preview": preview(frame),
    }
