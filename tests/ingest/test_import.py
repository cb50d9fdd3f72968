"""The ingest path through CSV import: validation, all-or-nothing, idempotency, revisions, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.catalog import load_ingest_rules
from binhon.db.models import AuditEntry, Commodity, IngestBatch, Observation, Outlet
from binhon.errors import ImportRejected
from binhon.ingest import FileRefused, correct_observation, history_of, import_csv
from binhon.ingest import store as store_module

HEADER = "date,commodity,outlet,price_vnd,price_type,outlet_type,area,zone,source\n"


def write(tmp_path: Path, body: str, name: str = "in.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Observation)) or 0


def prices(session: Session, commodity: str, outlet: str) -> list[tuple[str, int]]:
    rows = session.execute(
        select(Observation.obs_date, Observation.price_vnd)
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(Commodity.code == commodity, Outlet.code == outlet, Observation.is_current)
        .order_by(Observation.obs_date)
    )
    return [(d.isoformat(), p) for d, p in rows]


def test_vietnamese_formats_and_new_outlets(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        "06/01/2026,gao-te-thuong,CHO-CL,15.500,,,,,\n"
        '7/1/2026,gao-te-thuong,CHO-CL,"16.000 ₫",retail,,,,\n'
        "2026-01-07,thit-lon-nac,CHO-TV,125000,,market,Phường Trà Vinh,,chợ\n",
    )
    result = import_csv(session, path, actor="test")
    session.commit()
    assert (result.stored, result.rejected) == (4, 0)
    assert sorted(result.new_outlets) == ["CHO-CL", "CHO-TV"]
    assert prices(session, "gao-te-thuong", "CHO-CL") == [
        ("2026-01-05", 15000),
        ("2026-01-06", 15500),
        ("2026-01-07", 16000),
    ]
    outlet = session.scalars(select(Outlet).where(Outlet.code == "CHO-CL")).one()
    assert outlet.district is not None and outlet.district.name == "Huyện Càng Long"
    assert outlet.outlet_type == "market"
    obs = session.scalars(select(Observation).where(Observation.source == "chợ")).one()
    assert obs.price_type == "retail" and obs.submitted_by == "test" and obs.batch_id == result.batch_id


def test_reimport_is_idempotent(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n")
    import_csv(session, path, actor="test")
    session.commit()
    again = import_csv(session, path, actor="test")
    session.commit()
    assert (again.stored, again.unchanged, again.revised) == (0, 1, 0)
    assert count(session) == 1


def test_all_or_nothing_reports_every_bad_line(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"  # line 2: fine
        "2026-13-05,gao-te-thuong,CHO-CL,15000,,,,,\n"  # 3: bad date
        "2026-01-06,gao-xyz,CHO-CL,15000,,,,,\n"  # 4: unknown commodity
        "2026-01-07,gao-te-thuong,CHO-CL,abc,,,,,\n"  # 5: text price
        "2026-01-08,gao-te-thuong,CHO-CL,-5000,,,,,\n"  # 6: negative
        "2026-01-09,gao-te-thuong,NEW-1,15000,,,,,\n"  # 7: unknown outlet, no type/area
        "2026-01-10,gao-te-thuong,CHO-CL,15000,spot,,,,\n"  # 8: bad price type
        "2026-01-11,gao-te-thuong,CHO-CL,15000,,,,3,\n"  # 9: bad zone
        "2026-01-12,gao-te-thuong,CHO-CL,1500000,,,,,\n"  # 10: out of bounds
        "2026-01-13,gao-te-thuong,NEW-2,15000,,market,Xã Không Tồn Tại,,\n",  # 11: unknown area
    )
    with pytest.raises(ImportRejected) as info:
        import_csv(session, path, actor="test")
    session.rollback()
    lines = {p.line: p.reason for p in info.value.problems}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "ngày không hợp lệ" in lines[3]
    assert "gao-xyz" in lines[4] and "danh mục" in lines[4]
    assert "không phải là số" in lines[5]
    assert "lớn hơn 0" in lines[6]
    assert "outlet_type" in lines[7] and "area" in lines[7]
    assert "loại giá" in lines[8]
    assert "vùng giá" in lines[9]
    assert "ngoài khoảng hợp lý" in lines[10]
    assert "Không Tồn Tại" in lines[11]
    assert count(session) == 0
    assert session.scalar(select(func.count()).select_from(Outlet)) == 0


def test_row_with_several_problems_gets_every_reason(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "31/02/2026,khong-co,CHO-CL,12.5,,market,Huyện Càng Long,,\n")
    with pytest.raises(ImportRejected) as info:
        import_csv(session, path, actor="test")
    (problem,) = info.value.problems
    assert "ngày" in problem.reason and "khong-co" in problem.reason and "giá" in problem.reason


def test_skip_invalid_stores_the_valid_rows(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        "2026-01-06,gao-te-thuong,CHO-CL,zero,,,,,\n",
    )
    result = import_csv(session, path, actor="test", skip_invalid=True)
    session.commit()
    assert result.stored == 1 and [p.line for p in result.problems] == [3]
    assert count(session) == 1


def test_same_key_twice_in_a_file(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,,,,\n"  # exact repeat: dropped, not an error
        "2026-01-06,gao-te-thuong,CHO-CL,15000,,,,,\n"
        "2026-01-06,gao-te-thuong,CHO-CL,16000,,,,,\n",  # conflicting prices: both rejected
    )
    with pytest.raises(ImportRejected) as info:
        import_csv(session, path, actor="test")
    assert sorted(p.line for p in info.value.problems) == [4, 5]
    assert "4, 5" in info.value.problems[0].reason


def test_changed_price_supersedes_with_audit(session: Session, tmp_path: Path) -> None:
    first = write(tmp_path, "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n", "a.csv")
    import_csv(session, first, actor="alice")
    session.commit()
    second = write(tmp_path, "2026-01-05,gao-te-thuong,CHO-CL,15500,,,,,\n", "b.csv")
    result = import_csv(session, second, actor="bob")
    session.commit()
    assert (result.stored, result.revised) == (0, 1)
    assert prices(session, "gao-te-thuong", "CHO-CL") == [("2026-01-05", 15500)]
    versions = session.scalars(select(Observation).order_by(Observation.id)).all()
    assert [(v.price_vnd, v.is_current) for v in versions] == [(15000, False), (15500, True)]
    assert versions[0].superseded_by_id == versions[1].id
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "revise")).one()
    assert audit.actor == "bob" and audit.details is not None
    assert audit.details["old_price_vnd"] == 15000 and audit.details["new_price_vnd"] == 15500
    assert [v.id for v in history_of(session, versions[0].id)] == [versions[0].id, versions[1].id]


def test_correction_keeps_history(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n")
    import_csv(session, path, actor="test")
    session.commit()
    old = session.scalars(select(Observation)).one()
    with pytest.raises(ValueError, match="lý do"):
        correct_observation(session, observation_id=old.id, price_vnd=16000, reason=" ", actor="officer")
    new = correct_observation(
        session, observation_id=old.id, price_vnd=16000, reason="gõ nhầm", actor="officer"
    )
    session.commit()
    assert old.is_current is False and old.superseded_by_id == new.id
    with pytest.raises(ValueError, match="đã được thay thế"):
        correct_observation(session, observation_id=old.id, price_vnd=17000, reason="lại", actor="officer")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "correct")).one()
    assert entry.reason == "gõ nhầm" and entry.entity_id == new.id


def test_units_convert_to_the_commodity_unit(session: Session, tmp_path: Path) -> None:
    header = HEADER.rstrip("\n") + ",unit\n"
    path = write(
        tmp_path,
        "2026-01-05,thit-lon-nac,CHO-CL,65000,,market,Huyện Càng Long,,,500 g\n"
        "2026-01-05,dau-an,CHO-CL,95000,,,,,,can 2 lít\n"
        "2026-01-05,trung-ga,CHO-CL,18000,,,,,,vỉ 6 quả\n"
        "2026-01-05,duong-trang,CHO-CL,30000,,,,,,kg\n",
        header=header,
    )
    import_csv(session, path, actor="test")
    session.commit()
    assert prices(session, "thit-lon-nac", "CHO-CL") == [("2026-01-05", 130000)]
    assert prices(session, "dau-an", "CHO-CL") == [("2026-01-05", 47500)]
    assert prices(session, "trung-ga", "CHO-CL") == [("2026-01-05", 30000)]
    pork = session.scalars(select(Observation).where(Observation.orig_unit == "500 g")).one()
    assert pork.orig_price_vnd == 65000


def test_unknown_or_incompatible_unit_is_rejected(session: Session, tmp_path: Path) -> None:
    header = HEADER.rstrip("\n") + ",unit\n"
    path = write(
        tmp_path,
        "2026-01-05,bap-cai,CHO-CL,15000,,market,Huyện Càng Long,,,bó\n"
        "2026-01-05,dau-an,CHO-CL,45000,,,,,,kg\n",
        header=header,
    )
    with pytest.raises(ImportRejected) as info:
        import_csv(session, path, actor="test")
    reasons = {p.line: p.reason for p in info.value.problems}
    assert "không đọc được" in reasons[2]
    assert "không quy đổi được" in reasons[3]


def test_extra_or_missing_digit_against_the_series_is_rejected(session: Session, tmp_path: Path) -> None:
    rows = "".join(
        f"2026-01-{d:02d},bap-cai,CHO-CL,{7000 + d * 10},,market,Huyện Càng Long,,\n"
        f"2026-01-{d:02d},bap-cai,CHO-TV,{35000 + d * 10},,market,Phường Trà Vinh,,\n"
        for d in range(1, 11)
    )
    import_csv(session, write(tmp_path, rows, "hist.csv"), actor="test")
    session.commit()
    typo = write(
        tmp_path,
        "2026-01-11,bap-cai,CHO-CL,70500,,,,,\n"  # line 2: 10x the usual 7.000
        "2026-01-11,bap-cai,CHO-TV,3550,,,,,\n"  # line 3: a tenth of the usual 35.000
        "2026-01-12,bap-cai,CHO-CL,7600,,,,,\n",  # line 4: a normal move
        "t.csv",
    )
    with pytest.raises(ImportRejected) as info:
        import_csv(session, typo, actor="test")
    reasons = {p.line: p.reason for p in info.value.problems}
    assert sorted(reasons) == [2, 3]
    assert "thừa một chữ số" in reasons[2] and "thiếu một chữ số" in reasons[3]


def test_a_crash_mid_import_leaves_nothing(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from binhon.settings import get_settings

    monkeypatch.setenv("BINHON_IMPORT_CHUNK_ROWS", "2")
    get_settings.cache_clear()
    rows = "".join(
        f"2026-01-{d:02d},gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n" for d in range(1, 7)
    )
    real = store_module.bulk_insert
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("binhon.ingest.pipeline.bulk_insert", flaky)
    with pytest.raises(RuntimeError):
        import_csv(session, write(tmp_path, rows), actor="test")
    session.rollback()
    assert calls["n"] == 2
    assert count(session) == 0
    assert session.scalar(select(func.count()).select_from(IngestBatch)) == 0


def test_export_round_trip(session: Session, tmp_path: Path) -> None:
    from binhon.exports import export_observations_csv

    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Thị trấn Càng Long,,\n"
        "2026-01-05,xang-e5-ron92,CX-1,19500,,petrol,29242,1,\n",
    )
    import_csv(session, path, actor="test")
    session.commit()
    out = tmp_path / "out.csv"
    assert export_observations_csv(session, out) == 2
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == HEADER.strip()
    assert "2026-01-05,xang-e5-ron92,CX-1,19500,retail,petrol,29242,1,import" in text
    again = import_csv(session, out, actor="test")
    assert (again.stored, again.unchanged) == (0, 2)


# --- files that are not observation CSVs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "trống"),
        (b"\x00\x01\x02binary", "nhị phân"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"ngay,hang,gia\n2026-01-01,gao,1\n", "thiếu cột bắt buộc"),
        ("date,commodity,outlet,price_vnd\n2026-01-01,Càng,x,1\n".encode("cp1258"), "UTF-8"),
        (b"date,commodity,commodity,outlet,price_vnd\n", "lặp"),
    ],
)
def test_unreadable_files_are_refused(session: Session, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=message):
        import_csv(session, path, actor="test")


def test_too_large_file_is_refused_before_reading(session: Session, tmp_path: Path) -> None:
    rules = load_ingest_rules().model_copy(update={"max_file_mb": 1})
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write(HEADER)
        fh.seek(2 * 1024 * 1024)
        fh.write("\n")
    with pytest.raises(FileRefused, match="quá lớn"):
        import_csv(session, path, actor="test", rules=rules)


def test_malformed_rows_get_exact_line_numbers(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        '2026-01-06,gao-te-thuong,CHO-CL,15000,,market,"Huyện\nCàng Long",,\n'  # lines 3-4
        "2026-01-07,gao-te-thuong,CHO-CL,15000,,,,\n"  # line 5: one field short
        "\n"
        "2026-01-08,gao-te-thuong,CHO-CL,15000,,,,,,extra\n",  # line 7: one too many
    )
    with pytest.raises(ImportRejected) as info:
        import_csv(session, path, actor="test")
    reasons = {p.line: p.reason for p in info.value.problems}
    assert 5 in reasons and "8 cột" in reasons[5]
    assert 7 in reasons and "10 cột" in reasons[7]
    # the quoted area spanning lines 3-4 is one field, and with whitespace folded it is valid
    assert sorted(reasons) == [5, 7]


def test_bom_and_header_case_are_tolerated(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text(
        "\ufeffDate, Commodity ,OUTLET,price_vnd,outlet_type,area\n"
        "2026-01-05,gao-te-thuong,C1,15000,market,844\n",
        encoding="utf-8",
    )
    result = import_csv(session, path, actor="test")
    assert result.stored == 1
