"""The small-batch path (validate_rows.py, plain Python) and the file path (validate.py, pandas) give the
same outcome on the same input: the same typed rows, the same problems (line numbers, reasons, rows),
the same exact repeats, the same outlet registrations in the same order, and, through ingest_records,
the same stored prices, revisions and counts. Checked on many generated batches full of bad rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from binhon.db.models import Commodity, Observation, Outlet
from binhon.errors import ImportRejected
from binhon.ingest import ingest_records, pipeline
from binhon.ingest.csvfile import Problem
from binhon.ingest.reference import OutletRef, Reference
from binhon.ingest.store import stored_prices
from binhon.ingest.validate import validate
from binhon.ingest.validate_rows import validate_rows
from binhon.web.submissions import current_ids

TODAY = dt.date(2026, 3, 1)
# (commodity, usual price at CH-A; CH-B is 5 % dearer). muoi-hat gets no bounds below; dau-an has too
# little history for the plausibility check; sua-dac (hộp 380 g) and trung-ga (10 quả) convert units.
LEVELS = {
    "gao-te-thuong": 18_000,
    "thit-lon-nac": 120_000,
    "trung-ga": 32_000,
    "nuoc-mam": 40_000,
    "muoi-hat": 8_000,
    "sua-dac": 30_000,
}
# Each field is drawn from good values mostly and from bad ones sometimes, so that batches have valid
# rows (for plausibility, repeats and conflicts) as well as rows with one or several problems.
GOOD = {
    "date": [
        "2026-02-20",
        "2026-2-21",
        "22/02/2026",
        "23-02-2026",
        "24.2.2026",
        " 2026-02-25 ",
        "2026-03-01",
        "2026-03-02",
    ],
    "commodity": [*LEVELS, "nuoc-mam", "muoi-hat"],
    "outlet": ["CH-A", "CH-A", "CH-B", "CHO-X", "NEW-1", "NEW-2"],
    "price_type": ["", "", "retail", "Wholesale", "committed"],
    "outlet_type": [""],
    "area": ["", "", "Phường Trà Vinh"],
    "zone": ["", "", "1", "2"],
    "source": ["", "", "chợ", "x" * 130],
    "unit": ["", "", "", "", "kg", "KG", "500 g", "lít", "10 quả", "hộp"],
    "time": ["", "", "", "07:30", "7h30", "23:59"],
    "estimate": ["", "", "1", "có", "Không", "x"],
    "outlet_name": ["", "Cửa hàng mới"],
    "name_raw": ["", "Gạo tẻ"],
    "source_url": ["", "https://example.vn/gia"],
}
BAD = {
    "date": [
        "2026-03-03",
        "2999-01-01",
        "2026-02-30",
        "2026/02/20",
        "0001-01-01",
        "0000-01-01",
        "20/2/26",
        "abc",
        "",
    ],
    "commodity": ["dau-an", "gao-te-thuon", "khong-co", "", " GAO-TE-THUONG "],
    "outlet": ["NEW-3", ""],
    "price_type": ["bogus", "ceiling"],
    "outlet_type": ["bogus", "supermarket", "Convenience"],
    "area": ["Nơi Nào", "Huyện Càng Long"],
    "zone": ["3", "x"],
    "source": [""],
    "unit": ["xyz", "1 quả", "bình 12 kg"],
    "time": ["24:00", "7:3", "abc"],
    "estimate": ["maybe", "2"],
    "outlet_name": [""],
    "name_raw": [""],
    "source_url": [""],
}
FACTORS = [1, 1, 1, 1, 1.02, 0.97, 1.3]
BAD_FACTORS = [10, 0.1, 5, 0.2, 4.9, 0.21, 3, 100]
WEIRD_PRICES = [
    "",
    "0",
    "1",
    "-5000",
    "abc",
    "18k",
    "18.5",
    "18,000",
    "1.8",
    "99999999999999999999",
    "1000000000000000",
    "999999999999999",
    "23.500,00",
    "23.500,50",
]
HISTORY_DAYS = 90


# What a new outlet's rows declare (registered when the batch may register outlets).
NEW_OUTLET = {
    "NEW-1": ("market", "Phường Trà Vinh"),
    "NEW-2": ("Convenience", "phường trà vinh"),
    "NEW-3": ("official", ""),
}
KNOWN_TYPES = {"CH-A": "market", "CH-B": "supermarket", "CHO-X": "market"}


def _pick(draw: st.DrawFn, col: str, clean: bool) -> str:
    bad = not clean and draw(st.integers(0, 19)) == 0
    return draw(st.sampled_from(BAD[col] if bad else GOOD[col]))


def _text_rows(draw: st.DrawFn, raw_values: bool) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=8))
    clean = draw(st.booleans())  # only good values (most such batches are stored whole)
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        if rows and draw(st.integers(0, 3)) == 0:  # a repeat of an earlier row, maybe with another price
            row = dict(draw(st.sampled_from(rows)))
            if draw(st.booleans()):
                row["price_vnd"] = str(int(LEVELS.get(row["commodity"], 20_000) * 1.01))
            rows.append(row)
            continue
        row = {col: _pick(draw, col, clean) for col in GOOD}
        if row["outlet"] in NEW_OUTLET and draw(st.integers(0, 4)):
            row["outlet_type"], row["area"] = NEW_OUTLET[row["outlet"]]
        elif row["outlet"] in KNOWN_TYPES and draw(st.integers(0, 3)) == 0:
            row["outlet_type"] = KNOWN_TYPES[row["outlet"]]
        level = LEVELS.get(row["commodity"].strip().lower(), 20_000)
        kind = draw(st.integers(2 if clean else 0, 9))
        if kind == 0:
            price: Any = draw(st.sampled_from(WEIRD_PRICES))
        else:
            value = int(level * draw(st.sampled_from(BAD_FACTORS if kind == 1 else FACTORS)))
            style = draw(st.integers(0, 3))
            if style == 1:
                price = f"{value:,}".replace(",", ".")
            elif style == 2:
                price = f"{value:,} ₫".replace(",", ".")
            elif style == 3 and raw_values:
                price = value
            else:
                price = str(value)
        row["price_vnd"] = price
        if raw_values:  # API-like records: other types, fields absent or None
            if row["zone"] in ("1", "2") and draw(st.booleans()):
                row["zone"] = int(row["zone"])
            if row["estimate"] == "1" and draw(st.booleans()):
                row["estimate"] = True
            for col in ("unit", "time", "estimate", "source_url", "zone"):
                if draw(st.integers(0, 3)) == 0:
                    if draw(st.booleans()):
                        row.pop(col)
                    else:
                        row[col] = None
        rows.append(row)
    return rows


@st.composite
def batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    return _text_rows(draw, raw_values=False)


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    return _text_rows(draw, raw_values=True)


@pytest.fixture
def history(session: Session) -> Session:
    """Outlets and ~two months of committed prices; muoi-hat without bounds; CH-B in price zone 1."""
    rows: list[dict[str, object]] = []
    for days in range(60, 0, -1):
        day = (TODAY - dt.timedelta(days=days)).isoformat()
        for outlet, otype, dearer in (("CH-A", "market", 1.0), ("CH-B", "supermarket", 1.05)):
            for com, level in LEVELS.items():
                rows.append(
                    {
                        "date": day,
                        "commodity": com,
                        "outlet": outlet,
                        "outlet_type": otype,
                        "area": "Phường Trà Vinh",
                        "price_vnd": int(level * dearer) + (days % 4) * 100,
                    }
                )
            if days % 10 == 0:
                rows.append(
                    {
                        "date": day,
                        "commodity": "gao-te-thuong",
                        "outlet": outlet,
                        "price_vnd": 15_000,
                        "price_type": "wholesale",
                    }
                )
    rows.append({"date": "2026-02-01", "commodity": "dau-an", "outlet": "CH-A", "price_vnd": 40_000})
    rows.append({"date": "2026-02-02", "commodity": "dau-an", "outlet": "CH-A", "price_vnd": 41_000})
    rows.append(
        {
            "date": "2026-02-01",
            "commodity": "gao-te-thuong",
            "outlet": "CHO-X",
            "price_vnd": 17_000,
            "outlet_type": "market",
            "area": "Huyện Càng Long",
            "zone": "2",
        }
    )
    ingest_records(session, rows, actor="test", channel="import", source_default="import", return_ids=False)
    session.execute(update(Commodity).where(Commodity.code == "muoi-hat").values(min_vnd=None, max_vnd=None))
    session.execute(update(Outlet).where(Outlet.code == "CH-B").values(zone=1))
    session.commit()
    return session


class Registrar:
    """A register_outlet that writes nothing and records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str, dt.date]] = []

    def __call__(self, code: str, outlet_type: str, area: str, name: str, on: dt.date) -> OutletRef | str:
        self.calls.append((code, outlet_type, area, name, on))
        if area == "Nơi Nào":
            return f"điểm bán mới '{code}': không tìm thấy địa bàn '{area}'"
        return OutletRef(100_000 + len(self.calls), code, outlet_type, None)


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        rec["obs_date"] = rec["obs_date"].date()
        for col in ("line", "commodity_id", "outlet_id", "price_vnd"):
            rec[col] = int(rec[col])
        for col in ("zone", "orig_price_vnd"):
            rec[col] = None if pd.isna(rec[col]) else int(rec[col])
        for col in ("orig_unit", "name_raw", "source_url"):
            rec[col] = None if rec[col] is None or pd.isna(rec[col]) else str(rec[col])
        rec["is_estimate"] = bool(rec["is_estimate"])
        out.append(rec)
    return out


def _problems(problems: list[Problem]) -> list[tuple[int, str, dict[str, str] | None]]:
    return [(p.line, p.reason, p.row) for p in problems]


def _both(session: Session, rows: list[dict[str, Any]], register: bool) -> tuple[Any, Any]:
    text = pipeline.records_as_rows(rows)
    common = {
        "today": TODAY,
        "digit_ratio": 5.0,
        "history_days": HISTORY_DAYS,
        "min_history": 3,
        "source_default": "api",
    }
    slow_reg, fast_reg = Registrar(), Registrar()
    slow = validate(
        pipeline.rows_frame(text),
        ref=Reference.load(session),
        register_outlet=slow_reg if register else None,
        history=lambda ids, start, end: stored_prices(session, ids, start, end),
        **common,
    )
    fast = validate_rows(
        text,
        list(range(1, len(text) + 1)),
        ref=Reference.load(
            session,
            commodity_codes={r["commodity"].strip() for r in text},
            outlet_codes={r["outlet"].strip() for r in text},
        ),
        register_outlet=fast_reg if register else None,
        history=lambda ids, start, end: pipeline.stored_price_rows(session, ids, start, end),
        **common,
    )
    return (
        (_frame_rows(slow.rows), _problems(slow.problems), slow.duplicates, slow_reg.calls),
        ([asdict(r) for r in fast.rows], _problems(fast.problems), fast.duplicates, fast_reg.calls),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=batches(), register=st.booleans())
def test_validators_agree(history: Session, rows: list[dict[str, Any]], register: bool) -> None:
    slow, fast = _both(history, rows, register)
    assert fast[1] == slow[1]  # problems: lines, reasons, rows
    assert fast[0] == slow[0]  # typed valid rows
    assert fast[2:] == slow[2:]  # exact repeats, outlet registrations


def test_validators_agree_on_every_kind_of_problem(history: Session) -> None:
    """A fixed batch hitting each rule, so a generator change cannot silently stop covering one."""
    base = {"date": "2026-02-25", "outlet": "CH-A", "commodity": "nuoc-mam", "price_vnd": "40000"}
    rows = [
        {**base, "date": ""},
        {**base, "date": "2026-13-01"},
        {**base, "date": "2026-03-05"},
        {**base, "commodity": ""},
        {**base, "commodity": "nuoc-mamm"},
        {**base, "price_vnd": "40k"},
        {**base, "price_vnd": "-1"},
        {**base, "price_vnd": "99999999999999999999"},
        {**base, "price_type": "x"},
        {**base, "zone": "9"},
        {**base, "time": "25:00"},
        {**base, "estimate": "?"},
        {**base, "outlet": ""},
        {**base, "outlet_type": "supermarket"},
        {**base, "outlet": "NEW-9"},
        {**base, "outlet": "NEW-8", "outlet_type": "market", "area": "Nơi Nào"},
        {**base, "unit": "xyz"},
        {**base, "unit": "kg"},
        {**base, "commodity": "sua-dac", "unit": "kg", "price_vnd": "80000"},
        {**base, "commodity": "sua-dac", "unit": "kg", "price_vnd": "1", "date": "2026-02-24"},
        {**base, "price_vnd": "600000"},
        {**base, "price_vnd": "400000", "date": "2026-02-26"},
        {**base, "price_vnd": "1500", "commodity": "muoi-hat", "date": "2026-02-27"},
        {**base, "date": "2026-02-28", "price_vnd": "41000"},
        {**base, "date": "2026-02-28", "price_vnd": "42000"},
        {**base, "date": "2026-02-27", "price_vnd": "41000"},
        {**base, "date": "2026-02-27", "price_vnd": "41000"},
    ]
    slow, fast = _both(history, rows, register=True)
    assert fast == slow
    reasons = " | ".join(r for _, r, _ in fast[1])
    for fragment in (
        "thiếu ngày",
        "ngày không hợp lệ",
        "ở tương lai",
        "thiếu mã hàng hóa",
        "có phải: nuoc-mam",
        "giá không",
        "giá phải lớn hơn 0",
        "giá quá lớn",
        "loại giá 'x'",
        "vùng giá '9'",
        "giờ '25:00'",
        "cột estimate",
        "thiếu mã điểm bán",
        "khác với loại đã đăng ký",
        "cần cột outlet_type và area",
        "không tìm thấy địa bàn",
        "không đọc được",
        "không quy đổi được",
        "nằm ngoài khoảng hợp lý",
        "còn 0 đồng",
        "thừa một chữ số",
        "thiếu một chữ số",
        "giá khác nhau",
    ):
        assert fragment in reasons, fragment
    assert fast[2] == 1  # the exact repeat on 27/02


def _snapshot(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            Observation.commodity_id,
            Outlet.code,
            Observation.obs_date,
            Observation.price_type,
            Observation.obs_time,
            Observation.price_vnd,
            Observation.zone,
            Observation.source,
            Observation.is_estimate,
            Observation.orig_price_vnd,
            Observation.orig_unit,
            Observation.name_raw,
            Observation.source_url,
            Observation.submitted_by,
            Observation.is_current,
            Observation.superseded_by_id.is_not(None),
        )
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .order_by(Observation.id)
    ).all()
    outlets = session.execute(
        select(Outlet.code, Outlet.outlet_type, Outlet.area_id, Outlet.name).order_by(Outlet.id)
    ).all()
    return [tuple(r) for r in rows] + [tuple(o) for o in outlets]


def _ingest(session: Session, items: list[dict[str, Any]], small: int, register: bool) -> tuple[Any, ...]:
    pipeline_small = pipeline.SMALL_BATCH_ROWS
    pipeline.SMALL_BATCH_ROWS = small
    try:
        result = ingest_records(
            session, items, actor="api:test", channel="api", source_default="api", register_outlets=register
        )
        if result.line_ids is not None:  # what the API answers for each item, known without a query
            assert small > 0
            found = [result.line_ids.get(i) for i in range(1, len(items) + 1)]
            assert found == current_ids(session=session, records=items)
        stored = session.scalars(
            select(Observation.id).where(Observation.batch_id == result.batch_id).order_by(Observation.id)
        ).all()
        assert result.stored_ids == list(stored)
        outcome: tuple[Any, ...] = (
            "stored",
            result.stored,
            result.unchanged,
            result.revised,
            result.duplicates,
            len(result.stored_ids),
            sorted(result.new_outlets),
            _snapshot(session),
        )
    except ImportRejected as exc:
        outcome = ("rejected", str(exc), [(p.line, p.reason, p.row) for p in exc.problems])  # type: ignore[attr-defined]
    finally:
        pipeline.SMALL_BATCH_ROWS = pipeline_small
        session.rollback()
    return outcome


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=records(), register=st.booleans())
def test_ingest_records_stores_the_same_either_way(
    history: Session, items: list[dict[str, Any]], register: bool
) -> None:
    fast = _ingest(history, items, small=1000, register=register)
    slow = _ingest(history, items, small=0, register=register)
    _same(fast, slow)


def _same(fast: tuple[Any, ...], slow: tuple[Any, ...]) -> None:
    """fast == slow, failing on the first differing part (the snapshots are long)."""
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        if isinstance(a, list) and isinstance(b, list):
            assert [x for x in a if x not in b] == [x for x in b if x not in a]
        assert a == b


def test_revisions_and_repeats_through_the_small_path(history: Session) -> None:
    """Unchanged, revised and new prices in one small batch, the same as through the pandas path."""
    rice = {"commodity": "gao-te-thuong", "outlet": "CH-A"}
    items: list[dict[str, Any]] = [
        {**rice, "date": "2026-02-20", "price_vnd": 18_000},  # stored 18.100: revised
        {**rice, "date": "2026-02-21", "price_vnd": "18.000"},  # stored 18.000: unchanged
        {**rice, "date": "27/02/2026", "price_vnd": 18_100},  # stored 18.200: revised
        {**rice, "date": "2026-02-28", "price_vnd": 18_200, "time": "7h05"},  # another time of day: new
        {**rice, "date": "2026-02-28", "price_vnd": "18200", "time": "07:05"},  # an exact repeat
    ]
    fast = _ingest(history, items, small=1000, register=False)
    slow = _ingest(history, items, small=0, register=False)
    _same(fast, slow)
    assert fast[0] == "stored" and fast[1:5] == (1, 1, 2, 1)
    history.rollback()


def test_the_small_path_knows_the_ids_of_every_item(history: Session) -> None:
    """New, unchanged and repeated items: each item's current id, as the API returns it."""
    rice = {"commodity": "gao-te-thuong", "outlet": "CH-A"}
    items: list[dict[str, Any]] = [
        {**rice, "date": "2026-02-21", "price_vnd": 18_000},  # stored 18.000: unchanged
        {**rice, "date": "2026-03-05", "price_vnd": 18_100},  # new
        {**rice, "date": "5/3/2026", "price_vnd": "18.100"},  # a repeat of the line above
        {**rice, "date": "2026-03-05", "price_vnd": 18_100, "time": "7h05"},  # new (another time of day)
    ]
    result = ingest_records(history, items, actor="api:test", channel="api", source_default="api")
    assert result.line_ids is not None
    ids = [result.line_ids.get(i) for i in range(1, 5)]
    assert None not in ids and ids[1] == ids[2] and len(set(ids)) == 3
    assert ids == current_ids(session=history, records=items)
    assert result.stored_ids == sorted({ids[1], ids[3]})
    history.rollback()
