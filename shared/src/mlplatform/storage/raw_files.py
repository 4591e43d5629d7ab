"""Reading one landed file, and naming the cause (with its line) when it cannot be read.

No Dagster here: :class:`~mlplatform.storage.landing.LandingZone` lists the files and calls
:func:`read_raw_file`; tests call it directly. A CSV is read by pandas (the fast path); only when
pandas' result shows a sign of damage (a missing last field, a non-default index, a row equal to
the header, a tokenizer error) is the text scanned line by line to say which lines and why.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlplatform.spec import ColumnType

if TYPE_CHECKING:
    import pandas as pd

RAW_SUFFIXES = (".csv", ".parquet")
OTHER_DELIMITERS = (";", "\t", "|")
# UTF-32 LE starts with the UTF-16 LE mark, so it is tested first.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_LISTED = 5


class RawDataError(ValueError):
    """A landed file cannot be read; the message names the file and what is wrong."""


def listed(label: str, numbers: Sequence[int] | Iterable[int]) -> str:
    """``"rows 3, 9, 12 and 40 more"``: the first few numbers and how many more there are."""
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:_LISTED])
    more = f" and {len(numbers) - _LISTED} more" if len(numbers) > _LISTED else ""
    return f"{label}{'s' if len(numbers) > 1 else ''} {shown}{more}"


def read_raw_file(
    path: Path, schema: Mapping[str, ColumnType] | None = None, max_bytes: int | None = None
) -> pd.DataFrame:
    """Parse one landed file; raises :class:`RawDataError` naming the file and the cause.

    ``schema`` makes string columns read as text (``"007"`` stays ``"007"``); ``max_bytes``
    refuses a larger file before reading it.
    """
    size = path.stat().st_size
    if size == 0:
        raise RawDataError(f"{path}: file is empty (0 bytes)")
    if max_bytes is not None and size > max_bytes:
        raise RawDataError(
            f"{path}: file is {size:,} bytes, over the limit of {max_bytes:,} bytes "
            "(DataContract.max_file_bytes): split it into smaller batches"
        )
    if path.suffix == ".parquet":
        return _read_parquet(path)
    return parse_csv(str(path), path.read_bytes(), schema or {})


def _read_parquet(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_parquet(path)
    except Exception as exc:  # any reader failure becomes one clear, file-named error
        raise RawDataError(
            f"{path}: cannot be parsed as Parquet (damaged or cut off?): {exc}"
        ) from exc


def _csv_error(name: str, cause: str) -> RawDataError:
    return RawDataError(f"{name}: cannot be parsed as CSV: {cause}")


def parse_csv(name: str, data: bytes, schema: Mapping[str, ColumnType]) -> pd.DataFrame:
    """The frame in ``data`` (a CSV with a header line), or :class:`RawDataError` naming the
    cause: wrong encoding, wrong delimiter, no data rows, truncated or over-long rows, a header
    line repeated inside the file, a last line cut off."""
    text = decoded(name, data)
    header = header_fields(name, text, schema)
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise _csv_error(
            name,
            f"the last line (line {last}) does not end with a newline: the file looks cut off "
            "(truncated while being written or copied); a complete CSV ends every line with one",
        )
    frame = _pandas_csv(name, data, text, header, schema)
    if frame.empty:
        raise _csv_error(name, "no data rows (only the header line)")
    if _looks_damaged(frame):
        problems = scan_lines(text, header)
        if problems:
            raise _csv_error(name, "; ".join(problems))
    return frame


def decoded(name: str, data: bytes) -> str:
    """``data`` as UTF-8 text (a UTF-8 byte-order mark dropped), or why it is not."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            raise _csv_error(name, f"wrong encoding: {encoding} (byte-order mark); save as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _csv_error(
            name,
            f"wrong encoding: byte 0x{data[exc.start]:02x} on line {line} is not UTF-8 "
            "(Latin-1 or Windows-1252?); save the file as UTF-8",
        ) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _csv_error(
            name, f"wrong encoding: NUL byte on line {line} (UTF-16 without a mark, or binary)"
        )
    return text.removeprefix("\ufeff")


def header_fields(name: str, text: str, schema: Mapping[str, ColumnType]) -> list[str]:
    """The header line's column names; refuses a file with no header, a header naming a column
    twice, or one separated by another delimiter than ','."""
    first = text.partition("\n")[0].rstrip("\r")
    if not text.strip() or not first.strip():
        raise _csv_error(name, "no header line (the first line is blank)")
    fields = next(csv.reader([first]))
    expected = set(schema)
    if not expected or expected <= set(fields):
        return _unique(name, fields)
    for delimiter in OTHER_DELIMITERS:
        other = next(csv.reader([first], delimiter=delimiter))
        if len(other) > len(fields) and expected & set(other):
            shown = "tab" if delimiter == "\t" else repr(delimiter)
            raise _csv_error(
                name, f"wrong delimiter: the header is separated by {shown}, expected ','"
            )
    return _unique(name, fields)


def _unique(name: str, fields: list[str]) -> list[str]:
    twice = sorted({f for f in fields if fields.count(f) > 1})
    if twice:
        raise _csv_error(name, f"the header names column(s) {twice} more than once")
    return fields


def _pandas_csv(
    name: str, data: bytes, text: str, header: list[str], schema: Mapping[str, ColumnType]
) -> pd.DataFrame:
    import pandas as pd

    as_text = {c: str for c, kind in schema.items() if kind is ColumnType.STRING and c in header}
    try:
        # Only an empty field is missing (as pandas writes it): "NA" or "null" is a value.
        return pd.read_csv(
            io.BytesIO(data),
            dtype=as_text,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
        )
    except (pd.errors.ParserError, ValueError) as exc:
        problems = scan_lines(text, header)
        raise _csv_error(name, "; ".join(problems) if problems else str(exc).strip()) from exc


def _looks_damaged(frame: pd.DataFrame) -> bool:
    """Signs pandas leaves of a short row (a missing last field), rows with one field too many
    (the first column became the index) or a repeated header (every column text)."""
    import pandas as pd

    if not isinstance(frame.index, pd.RangeIndex) or frame.iloc[:, -1].isna().any():
        return True
    if all(frame[c].dtype == object for c in frame.columns):
        same = [frame[c] == c for c in frame.columns]
        return bool(pd.concat(same, axis=1).all(axis=1).any())
    return False


def scan_lines(text: str, header: Sequence[str]) -> list[str]:
    """Each damaged line after the header: too few fields (truncated), too many, or a repeat of
    the header line; blank lines are skipped as pandas skips them."""
    width = len(header)
    short: list[int] = []
    long: list[int] = []
    repeats: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    start = reader.line_num + 1
    try:
        for record in reader:
            if record == list(header):
                repeats.append(start)
            elif record and len(record) < width:
                short.append(start)
            elif len(record) > width:
                long.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return [f"line {start}: {exc}"]
    problems = []
    if repeats:
        problems.append(f"{listed('line', repeats)}: the header line repeated")
    if short:
        problems.append(f"{listed('line', short)}: fewer than {width} fields (truncated)")
    if long:
        problems.append(f"{listed('line', long)}: more than {width} fields")
    return problems
