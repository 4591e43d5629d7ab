"""One line per benchmark figure, in a form bench/report.py turns into README's performance table:

    FIGURE | <what> | <value> | <baseline> | <ratio>x | <target> | met|MISSED

Every figure is a ratio against a baseline measured in the same run. Stdlib only: every
benchmark imports it, whichever environment it runs in.
"""

from __future__ import annotations

import operator

PREFIX = "FIGURE"


def figure(
    what: str, value: float, baseline: float, target: float | None, unit: str = "s"
) -> bool:
    """Print the figure ``value / baseline`` against ``target`` (a ratio ceiling, or ``None``
    for a figure kept for reference only); True unless a target is missed."""
    ratio = value / baseline
    met = target is None or operator.le(ratio, target)
    verdict = "" if target is None else ("met" if met else "MISSED")
    ceiling = "-" if target is None else f"<= {target:g}x"
    print(
        f"{PREFIX} | {what} | {value:.2f} {unit} | {baseline:.2f} {unit} | {ratio:.2f}x "
        f"| {ceiling} | {verdict}",
        flush=True,
    )
    return met
