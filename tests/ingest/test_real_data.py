"""Real public datasets (../shared/data) through the converters and the ingest path, on every backend.

Every source row must be accounted for: converted and then stored, already there, a repeat, or
rejected by ingest with a reason; or not converted, with a reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.datasets import Converted, pvoil_observations, wfp_observations, write_observations_csv
from binhon.db.models import Commodity, Observation, Outlet
from binhon.ingest import IngestResult, import_csv

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

PVOIL_FILE = "pvoil_retail_prices_2018_2026.csv"
WFP_FILE = "wfp_food_prices_vnm.csv"


def source(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"real dataset missing: {path} (../shared/data is not next to the repository)")
    return path


def source_rows(path: Path) -> int:
    """Data rows of the source file (the header and blank lines excluded; no field spans lines here)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return sum(1 for line in lines[1:] if line.strip())


def price(session: Session, commodity: str, outlet: str, on: str, price_type: str | None = None) -> list[int]:
    stmt = (
        select(Observation.price_vnd)
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(
            Commodity.code == commodity,
            Outlet.code == outlet,
            Observation.obs_date == dt.date.fromisoformat(on),
            Observation.is_current,
        )
    )
    if price_type:
        stmt = stmt.where(Observation.price_type == price_type)
    return list(session.scalars(stmt))


def stored_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Observation)) or 0


def import_converted(session: Session, converted: Converted, tmp_path: Path, name: str) -> IngestResult:
    path = write_observations_csv(converted.rows, tmp_path / name)
    result = import_csv(session, path, actor="test", skip_invalid=True)
    session.commit()
    return result


def assert_accounted(result: IngestResult, converted: Converted, total: int) -> None:
    assert result.rows_read == len(converted.rows)
    assert result.revised == 0
    not_converted = len(converted.skipped)
    accounted = result.stored + result.unchanged + result.duplicates + result.rejected + not_converted
    assert accounted == total, (result, not_converted, total)
    assert all(p.reason.strip() for p in result.problems)
    assert all(p.reason.strip() for p in converted.skipped)
    # every source line appears exactly once: converted or skipped
    lines = sorted([*converted.rows["source_line"].tolist(), *(p.line for p in converted.skipped)])
    assert len(lines) == len(set(lines)) == total


def test_pvoil_conversion_accounts_for_every_row() -> None:
    path = source(PVOIL_FILE)
    converted = pvoil_observations(path)
    rows, skipped = converted
    assert len(rows) + len(skipped) == source_rows(path) == 1332
    assert rows["commodity"].value_counts().to_dict() == {
        "xang-ron95-iii": 281,
        "xang-e5-ron92": 281,
        "dau-do-005s": 281,
        "dau-hoa": 269,
        "dau-do-0001s": 90,
        "xang-e10-ron95-iii": 45,
    }
    # FO 3%S (32), FO 3,5%S (33), RON 95-IV (10), DO 0,005S-IV (10): not in the catalogue
    assert len(skipped) == 85
    assert all("mặt hàng chưa có trong danh mục" in p.reason for p in skipped)
    zero = [p for p in skipped if "giá bằng 0 trong nguồn" in p.reason]
    assert len(zero) == 64 and all("Dầu FO" in (p.row or {}).get("Mặt hàng", "") for p in zero)
    assert set(rows["outlet"]) == {"pvoil"} and set(rows["zone"]) == {"1"} and set(rows["area"]) == {"86"}
    assert set(rows["price_type"]) == {"retail"} and set(rows["source"]) == {"pvoil"}
    assert set(rows["outlet_type"]) == {"enterprise"}
    assert list(rows["date"]) == sorted(rows["date"])  # the source is unsorted; the output is by date
    assert rows["price_vnd"].map(str.isdigit).all()
    ron95 = rows[(rows["commodity"] == "xang-ron95-iii") & (rows["date"] == "2022-06-21")]
    assert ron95[["price_vnd", "name_raw"]].values.tolist() == [["32870", "Xăng RON 95-III"]]


def test_wfp_conversion_accounts_for_every_row() -> None:
    path = source(WFP_FILE)
    rows, skipped = wfp_observations(path)
    assert len(rows) + len(skipped) == source_rows(path) == 389
    assert len(rows) == 311  # the "actual" prices: 152 An Giang, 141 Đồng Tháp, 18 Bạc Liêu
    assert rows["outlet"].value_counts().to_dict() == {
        "wfp-an-giang": 152,
        "wfp-dong-thap": 141,
        "wfp-bac-lieu": 18,
    }
    assert set(rows["commodity"]) == {"gao-te-thuong"} and set(rows["price_type"]) == {"wholesale"}
    assert set(rows["outlet_type"]) == {"official"} and set(rows["area"]) == {""}
    assert len(skipped) == 78 and all("dự báo" in p.reason for p in skipped)
    assert sum("giá bằng 0 trong nguồn" in p.reason for p in skipped) == 30
    first = rows.iloc[0]
    # 5317.5 đ/kg rounded half up
    assert (first["date"], first["outlet"], first["price_vnd"], first["source_line"]) == (
        "2008-01-15",
        "wfp-an-giang",
        "5318",
        2,
    )
    assert first["outlet_name"] == "WFP – chợ An Giang (bán buôn)"


def test_pvoil_imports_completely_and_idempotently(session: Session, tmp_path: Path) -> None:
    path = source(PVOIL_FILE)
    converted = pvoil_observations(path)
    total = source_rows(path)

    result = import_converted(session, converted, tmp_path, "pvoil.csv")
    assert_accounted(result, converted, total)
    assert result.problems == [], [(p.line, p.reason) for p in result.problems[:5]]
    assert result.stored == 1247
    assert result.new_outlets == ["pvoil"]
    outlet = session.scalars(select(Outlet).where(Outlet.code == "pvoil")).one()
    assert outlet.outlet_type == "enterprise" and outlet.name == "PVOIL (giá niêm yết vùng 1)"
    assert outlet.area_id is not None

    assert price(session, "xang-ron95-iii", "pvoil", "2022-06-21") == [32870]
    assert price(session, "xang-ron95-iii", "pvoil", "2022-01-11") == [23870]
    assert price(session, "xang-e5-ron92", "pvoil", "2022-06-21") == [31300]
    assert price(session, "xang-e5-ron92", "pvoil", "2018-08-22") == [19610]
    # the post-Tết 2026 jump
    assert price(session, "xang-ron95-iii", "pvoil", "2026-02-20") == [19150]
    assert price(session, "xang-ron95-iii", "pvoil", "2026-03-07") == [27040]
    assert price(session, "dau-do-005s", "pvoil", "2026-04-02") == [40820]
    # no adjustment in the Tết 2022 freeze
    n_freeze = session.scalar(
        select(func.count())
        .select_from(Observation)
        .where(Observation.obs_date > dt.date(2022, 1, 21), Observation.obs_date < dt.date(2022, 2, 11))
    )
    assert n_freeze == 0
    stored = session.scalars(select(Observation).where(Observation.price_vnd == 32870)).one()
    assert (stored.zone, stored.source, stored.price_type) == (1, "pvoil", "retail")
    assert stored.name_raw == "Xăng RON 95-III"
    assert stored_count(session) == 1247

    again = import_converted(session, converted, tmp_path, "pvoil-again.csv")
    assert again.stored == 0 and again.revised == 0 and again.problems == []
    assert again.unchanged == len(converted.rows)
    assert_accounted(again, converted, total)
    assert stored_count(session) == 1247


def test_wfp_imports_completely_and_idempotently(session: Session, tmp_path: Path) -> None:
    path = source(WFP_FILE)
    converted = wfp_observations(path)
    total = source_rows(path)

    result = import_converted(session, converted, tmp_path, "wfp.csv")
    assert_accounted(result, converted, total)
    assert result.problems == [], [(p.line, p.reason) for p in result.problems[:5]]
    assert result.stored == 311
    assert sorted(result.new_outlets) == ["wfp-an-giang", "wfp-bac-lieu", "wfp-dong-thap"]
    outlets = {o.code: o for o in session.scalars(select(Outlet).where(Outlet.code.like("wfp-%")))}
    assert {o.outlet_type for o in outlets.values()} == {"official"}
    assert all(o.area_id is None for o in outlets.values())
    assert outlets["wfp-dong-thap"].name == "WFP – chợ Đồng Tháp (bán buôn)"

    # 2008 prices (below 8.000 đ/kg) are stored: the bounds of gao-te-thuong admit them
    assert price(session, "gao-te-thuong", "wfp-an-giang", "2008-01-15", "wholesale") == [5318]  # 5317.5
    assert price(session, "gao-te-thuong", "wfp-dong-thap", "2008-11-15", "wholesale") == [4514]  # 4514.29
    assert price(session, "gao-te-thuong", "wfp-an-giang", "2022-02-15", "wholesale") == [8567]  # 8566.67
    assert price(session, "gao-te-thuong", "wfp-bac-lieu", "2022-06-15", "wholesale") == [8400]
    # the actual price, not the forecast placeholder of 0 on the same date
    assert price(session, "gao-te-thuong", "wfp-an-giang", "2021-06-15", "wholesale") == [9475]
    assert session.scalar(select(func.min(Observation.price_vnd))) == 4514
    assert stored_count(session) == 311

    again = import_converted(session, converted, tmp_path, "wfp-again.csv")
    assert again.stored == 0 and again.revised == 0 and again.problems == []
    assert again.unchanged == len(converted.rows)
    assert_accounted(again, converted, total)
    assert stored_count(session) == 311
