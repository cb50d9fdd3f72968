"""Reading observation CSV files: header checks, line numbers, bounded memory, clear refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from binhon.errors import BinhonError

# CONTRACT columns, in CONTRACT order; then the extensions binhon understands.
CONTRACT_COLUMNS = (
    "date",
    "commodity",
    "outlet",
    "price_vnd",
    "price_type",
    "outlet_type",
    "area",
    "zone",
    "source",
)
REQUIRED_COLUMNS = ("date", "commodity", "outlet", "price_vnd")
EXTRA_COLUMNS = ("unit", "time", "estimate", "outlet_name", "name_raw", "source_url")
KNOWN_COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS
LINE = "__line__"

_SNIFF_BYTES = 64 * 1024


class FileRefused(BinhonError):
    """The file cannot be read as an observations CSV at all (nothing was stored)."""


@dataclass
class Problem:
    """A rejected input line and why, in plain Vietnamese."""

    line: int
    reason: str
    row: dict[str, str] | None = None


@dataclass
class CsvChunk:
    """Rows of a CSV file as strings, with their line numbers in column LINE, and unreadable lines."""

    frame: pd.DataFrame
    problems: list[Problem]


def _fmt_mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def check_file(path: Path, *, max_bytes: int) -> list[str]:
    """Refuse what is not a readable UTF-8 CSV of a sane size; return its normalised header."""
    if not path.exists():
        raise FileRefused(f"không tìm thấy tệp: {path}")
    if not path.is_file():
        raise FileRefused(f"không phải là tệp: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRefused(
            f"tệp {path.name} quá lớn ({_fmt_mb(size)} MB, giới hạn {_fmt_mb(max_bytes)} MB): "
            "hãy chia thành nhiều tệp nhỏ hơn (hoặc đặt max_file_mb trong config/ingest.yaml)"
        )
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise FileRefused(f"tệp {path.name} trống: cần dòng tiêu đề và các dòng dữ liệu")
    if b"\x00" in head:
        raise FileRefused(f"tệp {path.name} là tệp nhị phân, không phải CSV (hãy xuất ra CSV UTF-8)")
    if head.startswith(b"PK\x03\x04"):
        raise FileRefused(f"tệp {path.name} là tệp Excel/ZIP, không phải CSV (hãy lưu dưới dạng CSV UTF-8)")
    text = head.decode("utf-8", errors="ignore") if len(head) == _SNIFF_BYTES else None
    try:
        text = head.decode("utf-8-sig") if text is None else text
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"tệp {path.name} không phải UTF-8 (byte lạ ở vị trí {exc.start}): "
            "hãy lưu lại dưới dạng CSV UTF-8"
        ) from exc
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = [h.strip().lower() for h in next(csv.reader([first_line]), [])]
    return check_header(header, name=path.name)


def check_header(header: list[str], *, name: str) -> list[str]:
    """The header as column names; refuse one missing required columns or with duplicates."""
    if not any(header):
        raise FileRefused(f"tệp {name}: thiếu dòng tiêu đề (cần các cột {', '.join(REQUIRED_COLUMNS)})")
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise FileRefused(f"tệp {name}: cột bị lặp trong tiêu đề: {', '.join(dupes)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        unknown = [h for h in header if h and h not in KNOWN_COLUMNS]
        hint = f"; cột không nhận ra: {', '.join(unknown[:10])}" if unknown else ""
        raise FileRefused(
            f"tệp {name}: tiêu đề thiếu cột bắt buộc {', '.join(missing)} "
            f"(tiêu đề cần có: {', '.join(CONTRACT_COLUMNS)}){hint}"
        )
    return header


def unknown_columns(header: list[str]) -> list[str]:
    """Columns binhon does not use (they are ignored, and the user is told)."""
    return [h for h in header if h not in KNOWN_COLUMNS]


def _finish(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    frame.columns = pd.Index(header + [LINE]) if LINE not in frame.columns else frame.columns
    for col in KNOWN_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    return frame


def read_chunks(path: Path, header: list[str], *, chunk_rows: int) -> Iterator[CsvChunk]:
    """The data rows in chunks, fast path first; malformed files are re-read line by line."""
    progress = [2]  # the first line the fast path has not yielded yet
    try:
        yield from _fast_chunks(path, header, chunk_rows=chunk_rows, progress=progress)
    except _NeedsSlowPath:
        yield from _slow_chunks(path, header, chunk_rows=chunk_rows, resume_at=progress[0])


class _NeedsSlowPath(Exception):
    pass


def _fast_chunks(
    path: Path, header: list[str], *, chunk_rows: int, progress: list[int]
) -> Iterator[CsvChunk]:
    """pandas' C parser; valid while no quoted field spans lines and every row has the header's width.

    Line numbers are exact only while no field spans lines: at the first chunk where one does (or a
    row is malformed) it stops, and the caller resumes line by line from ``progress[0]``.
    """
    quoted = _has_quotes(path)
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            chunksize=chunk_rows,
            header=0,
            names=header,
            engine="c",
        )
        line = 2
        for frame in reader:
            if quoted and _has_multiline(frame):
                raise _NeedsSlowPath
            frame[LINE] = range(line, line + len(frame))
            line += len(frame)
            blank = (frame[header] == "").all(axis=1)
            if blank.any():
                frame = frame.loc[~blank]
            progress[0] = line
            yield CsvChunk(_finish(frame.reset_index(drop=True), header), [])
    except (pd.errors.ParserError, ValueError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise FileRefused(
                f"tệp {path.name} không phải UTF-8 (byte lạ ở vị trí {exc.start}): "
                "hãy lưu lại dưới dạng CSV UTF-8"
            ) from exc
        raise _NeedsSlowPath from exc


def _has_quotes(path: Path) -> bool:
    """Whether the file has a double quote anywhere: without one, no field can span lines."""
    with path.open("rb") as fh:
        return any(b'"' in block for block in iter(lambda: fh.read(1 << 20), b""))


def _has_multiline(frame: pd.DataFrame) -> bool:
    """Whether a field holds a line break (checked once per distinct value of each column)."""
    for col in frame.columns:
        if any(isinstance(v, str) and "\n" in v for v in frame[col].unique()):
            return True
    return False


def _slow_chunks(path: Path, header: list[str], *, chunk_rows: int, resume_at: int = 2) -> Iterator[CsvChunk]:
    """Python's csv module: exact line numbers and one problem per malformed row."""
    width = len(header)
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            rows: list[list[str]] = []
            lines: list[int] = []
            problems: list[Problem] = []
            start = reader.line_num + 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    if start >= resume_at:
                        problems.append(Problem(start, f"dòng CSV hỏng: {exc}"))
                    start = reader.line_num + 1
                    continue
                line = start
                start = reader.line_num + 1
                if line < resume_at or not row or all(not v.strip() for v in row):
                    continue
                if len(row) != width:
                    problems.append(
                        Problem(
                            line,
                            f"có {len(row)} cột, tiêu đề có {width} cột",
                            dict(zip(header, row, strict=False)),
                        )
                    )
                    continue
                rows.append(row)
                lines.append(line)
                if len(rows) >= chunk_rows:
                    yield _chunk(rows, lines, header, problems)
                    rows, lines, problems = [], [], []
            if rows or problems:
                yield _chunk(rows, lines, header, problems)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"tệp {path.name} không phải UTF-8 (byte lạ ở vị trí {exc.start}): "
            "hãy lưu lại dưới dạng CSV UTF-8"
        ) from exc


def _chunk(rows: list[list[str]], lines: list[int], header: list[str], problems: list[Problem]) -> CsvChunk:
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame[LINE] = lines
    return CsvChunk(_finish(frame, header), problems)


def frame_from_records(records: list[dict[str, object]], *, first_line: int = 1) -> pd.DataFrame:
    """Records (API, form, spider items) as the string frame the validator takes; "line" = item number."""
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    out = pd.DataFrame(index=range(len(records)))
    for col in KNOWN_COLUMNS:
        if col in frame.columns:
            values = frame[col].astype(object)
            out[col] = values.where(values.notna(), "").map(str)
        else:
            out[col] = ""
    out[LINE] = range(first_line, first_line + len(records))
    return out


def write_problems_csv(problems: list[Problem], path: Path, *, columns: list[str]) -> None:
    """Rejected rows with their line and reason, for --skip-invalid."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["line", "reason", *columns])
    for p in sorted(problems, key=lambda p: p.line):
        row = p.row or {}
        writer.writerow([p.line, p.reason, *(row.get(c, "") for c in columns)])
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
