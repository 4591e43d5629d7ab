"""Property: a landed CSV is either refused with a message naming the file and the cause of its
damage, or the data read from it is exactly its good rows; the landed file is never changed.

Hypothesis generates the good rows (awkward text included: quotes, commas, newlines, "NA") and
one damage per case; the reading and validation path the ``raw_data`` asset runs is checked
directly. ``test_damage_through_a_real_run`` sends a few of the same damages through a real
``materialize``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from demo_project import SPEC
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st

from mlplatform import project_names
from mlplatform.steps.features import build_feature_frame
from mlplatform.steps.validation import validate_raw
from mlplatform.storage.raw_files import RawDataError, read_raw_file
from mlplatform.testing import failure_text

CASES = 1000
CONTRACT = dataclasses.replace(SPEC.data, min_rows=1, max_duplicate_share=0.0)
COLUMNS = list(CONTRACT.raw_schema)
NUMERIC = ("usage", "visits", "spend")

_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)
_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def good_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Rows the contract accepts: unique ids, finite numbers, non-empty text."""
    ids = draw(st.lists(_text, min_size=1, max_size=25, unique=True))
    rows = len(ids)

    def column(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=rows, max_size=rows))

    frame = pd.DataFrame(
        {
            "id": ids,
            "usage": column(_floats),
            "visits": column(st.integers(-(2**62), 2**62)),
            "spend": column(_floats),
            "plan": column(_text),
            "converted": column(st.booleans()),
        }
    )
    return frame.astype({"usage": "float64", "spend": "float64", "visits": "int64"})


Lines = list[list[str]]
Damage = Callable[[Lines, st.DrawFn], "Lines | bytes"]


def _row(lines: Lines, draw: st.DrawFn) -> int:
    return draw(st.integers(1, len(lines) - 1))


def _non_finite(lines: Lines, draw: st.DrawFn) -> Lines:
    column = COLUMNS.index(draw(st.sampled_from(NUMERIC)))
    lines[_row(lines, draw)][column] = draw(st.sampled_from(["inf", "-inf"]))
    return lines


def _not_a_number(lines: Lines, draw: st.DrawFn) -> Lines:
    column = COLUMNS.index(draw(st.sampled_from(NUMERIC)))
    lines[_row(lines, draw)][column] = draw(st.sampled_from(["n/a", "12,5", "one", "NA", "-"]))
    return lines


def _truncated(lines: Lines, draw: st.DrawFn) -> Lines:
    row = _row(lines, draw)
    lines[row] = lines[row][: draw(st.integers(1, len(COLUMNS) - 1))]
    return lines


def _extra_fields(lines: Lines, draw: st.DrawFn) -> Lines:
    lines[_row(lines, draw)].extend(draw(st.lists(_text, min_size=1, max_size=3)))
    return lines


def _repeated_header(lines: Lines, draw: st.DrawFn) -> Lines:
    lines.insert(draw(st.integers(2, len(lines))), list(lines[0]))
    return lines


def _empty_column(lines: Lines, draw: st.DrawFn) -> Lines:
    column = draw(st.integers(0, len(COLUMNS) - 1))
    for line in lines[1:]:
        line[column] = ""
    return lines


def _header_only(lines: Lines, draw: st.DrawFn) -> Lines:
    return lines[:1]


def _missing_column(lines: Lines, draw: st.DrawFn) -> Lines:
    column = draw(st.integers(0, len(COLUMNS) - 1))
    return [line[:column] + line[column + 1 :] for line in lines]


def _repeated_rows(lines: Lines, draw: st.DrawFn) -> Lines:
    lines.insert(draw(st.integers(2, len(lines))), list(lines[_row(lines, draw)]))
    return lines


def _cut_off(lines: Lines, draw: st.DrawFn) -> bytes:
    text = _csv(lines)
    start = len(_csv(lines[:1]))
    cuts = [i for i in range(start + 1, len(text)) if text[i - 1] != "\n"]
    return text[: draw(st.sampled_from(cuts))].encode()


def _other_delimiter(lines: Lines, draw: st.DrawFn) -> bytes:
    return _csv(lines, draw(st.sampled_from([";", "\t", "|"]))).encode()


def _other_encoding(lines: Lines, draw: st.DrawFn) -> bytes:
    lines[_row(lines, draw)][0] += "é"
    text = _csv(lines)
    if draw(st.booleans()):
        return text.encode("utf-16")
    return text.encode("cp1252", errors="replace")


# damage -> the cause its refusal must name
DAMAGES: dict[str, tuple[Damage, tuple[str, ...]]] = {
    "non-finite": (_non_finite, ("non-finite values",)),
    "not a number": (_not_a_number, ("not numbers",)),
    "truncated row": (_truncated, ("fields (truncated)",)),
    "extra fields": (_extra_fields, ("more than 6 fields",)),
    "repeated header": (_repeated_header, ("the header line repeated",)),
    "empty column": (_empty_column, ("is empty (no value in any of",)),
    "no data rows": (_header_only, ("no data rows",)),
    "missing column": (_missing_column, ("missing column",)),
    "repeated rows": (_repeated_rows, ("repeat an earlier row",)),
    "cut off": (_cut_off, ("does not end with a newline",)),
    "wrong delimiter": (_other_delimiter, ("wrong delimiter",)),
    "wrong encoding": (_other_encoding, ("wrong encoding",)),
}


def _csv(lines: Lines, delimiter: str = ",") -> str:
    # csv quotes a field holding a character of the line terminator: a bare "\r" in a field
    # must be quoted, as any CSV reader takes it for a line break.
    bare_cr = any("\r" in field for line in lines for field in line)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if bare_cr else "\n")
    writer.writerows(lines)
    return out.getvalue()


def _fields(frame: pd.DataFrame) -> Lines:
    """The header and each row's fields as text (``repr`` keeps every float digit)."""
    rows = [[repr(v) if isinstance(v, float) else str(v) for v in row] for row in frame.values]
    return [list(frame.columns), *rows]


def accepted(path: Path) -> pd.DataFrame | str:
    """What the ``raw_data`` asset does with one landed file: the frame it passes on, or the
    refusal message."""
    try:
        files = {path.name: read_raw_file(path, CONTRACT.raw_schema, CONTRACT.max_file_bytes)}
    except RawDataError as error:
        return str(error)
    broken = validate_raw(files, CONTRACT).broken
    return " | ".join(broken) if broken else pd.concat(files.values(), ignore_index=True)


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(frame=good_frames(), damage=st.sampled_from([None, *DAMAGES]), data=st.data())
def test_a_damaged_file_is_refused_with_its_cause_or_read_exactly(
    tmp_path_factory: pytest.TempPathFactory, frame: pd.DataFrame, damage: str | None, data
) -> None:
    event(f"damage: {damage}")
    path = tmp_path_factory.mktemp("landing") / "batch.csv"
    if damage is None:
        content = _csv(_fields(frame)).encode()
    else:
        damaged = DAMAGES[damage][0](_fields(frame), data.draw)
        content = damaged if isinstance(damaged, bytes) else _csv(damaged).encode()
    path.write_bytes(content)

    outcome = accepted(path)

    assert path.read_bytes() == content
    if damage is None:
        assert not isinstance(outcome, str), outcome
        pd.testing.assert_frame_equal(outcome, frame)
    else:
        assert isinstance(outcome, str), f"{damage} accepted"
        assert "batch.csv" in outcome
        assert any(cause in outcome for cause in DAMAGES[damage][1]), (damage, outcome)


def _land_damaged(landing_dir: Path, damage: str | None) -> Path:
    frame = SPEC.generate(600, 11, 0.0)
    lines = _fields(frame)
    if damage is not None:
        # Outside @given: each draw is the strategy's simplest value, so the example is fixed.
        quiet = settings(database=None)
        lines = DAMAGES[damage][0](lines, lambda s: find(s, lambda _: True, settings=quiet))
    landing_dir.mkdir(parents=True, exist_ok=True)
    path = landing_dir / "batch.csv"
    path.write_bytes(lines if isinstance(lines, bytes) else _csv(lines).encode())
    return path


@pytest.mark.parametrize("damage", [None, "truncated row", "repeated header"])
def test_damage_through_a_real_run(damage, landing_dir, run_chain, data_dir) -> None:
    path = _land_damaged(landing_dir, damage)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    names = project_names(SPEC)

    result = run_chain([names.raw_data, names.features])

    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    if damage is None:
        assert result.success
        stored = pd.read_parquet(data_dir / "assets" / SPEC.name / "features.parquet")
        expected, _ = build_feature_frame(SPEC, SPEC.generate(600, 11, 0.0))
        pd.testing.assert_frame_equal(stored, expected)
    else:
        assert not result.success
        assert "batch.csv" in failure_text(result)
        assert any(cause in failure_text(result) for cause in DAMAGES[damage][1])
