"""Geography across the 1 July 2025 merger: generated config, gazetteer sync, area resolution."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from binhon.catalog import AreasConfig, load_areas, load_yaml_model
from binhon.db.engine import make_engine, session_factory
from binhon.db.migrate import upgrade
from binhon.db.models import Area, AreaCrosswalk
from binhon.errors import BinhonError, ConfigError
from binhon.geo import (
    AmbiguousArea,
    AreaNotFound,
    AreaRecord,
    AreaResolver,
    build_areas_config,
    main,
    sync_areas,
    write_areas_config,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"
ADMIN_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "admin"
PG_URL = os.environ.get("BINHON_TEST_PG_URL")

BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)

# 1 province + 124 new communes + 3 former provinces + 26 former districts + 354 former communes.
N_AREAS = 1 + 124 + 3 + 26 + 354
N_CROSSWALK = 359

needs_admin = pytest.mark.skipif(
    not ADMIN_DIR.is_dir(),
    reason=f"reference data {ADMIN_DIR} is absent (needs the shared/data/admin checkout next to the project)",
)


@pytest.fixture(scope="module")
def config() -> AreasConfig:
    return load_areas(CONFIG_DIR)


# --- generated config ------------------------------------------------------------------------------


def test_config_validates_and_has_the_expected_units(config: AreasConfig) -> None:
    assert (config.province.code, config.province.name, config.province.kind) == (
        "86",
        "Tỉnh Vĩnh Long",
        "Tỉnh",
    )
    assert config.merger_date == dt.date(2025, 7, 1)
    assert config.home_former_province == "84"
    assert len(config.communes) == 124
    assert Counter(c.kind for c in config.communes) == {"Xã": 105, "Phường": 19}
    assert [p.code for p in config.former_provinces] == ["83", "84", "86"]

    home = next(p for p in config.former_provinces if p.code == "84")
    assert home.name == "Tỉnh Trà Vinh"
    districts = {d.name: d for d in home.districts}
    assert len(districts) == 9
    assert districts["Thành phố Trà Vinh"].code == "842"
    assert districts["Thành phố Trà Vinh"].kind == "Thành phố"
    assert districts["Thị xã Duyên Hải"].kind == "Thị xã"
    assert {
        "Huyện Càng Long",
        "Huyện Cầu Kè",
        "Huyện Tiểu Cần",
        "Huyện Châu Thành",
        "Huyện Cầu Ngang",
    } <= set(districts)
    assert {"Huyện Trà Cú", "Huyện Duyên Hải"} <= set(districts)


def test_every_old_commune_maps_to_new_communes(config: AreasConfig) -> None:
    new_codes = {c.code for c in config.communes}
    old = [c for p in config.former_provinces for d in p.districts for c in d.communes]
    assert len(old) == 354
    assert len({c.code for c in old}) == 354
    for commune in old:
        assert commune.becomes, commune
        assert set(commune.becomes) <= new_codes
        assert set(commune.partial) <= set(commune.becomes), commune
    split = {c.code: set(c.partial) for c in old if c.partial}
    assert split == {
        "29719": {"29719", "29836"},  # Thị trấn Tam Bình
        "29764": {"29767", "29770"},  # Xã Ngãi Tứ
        "29770": {"29770", "29771"},  # Phường Cái Vồn
        "29771": {"29770", "29771"},  # Phường Thành Phước
        "29821": {"29767", "29821"},  # Thị trấn Trà Ôn
    }
    assert sum(len(c.becomes) for c in old) == N_CROSSWALK
    # Every new commune received at least one old commune.
    assert {code for c in old for code in c.becomes} == new_codes


def test_config_names_are_normalised(config: AreasConfig) -> None:
    units = [config.province, *config.communes]
    for p in config.former_provinces:
        units.append(p)
        for d in p.districts:
            units.append(d)
            units.extend(d.communes)
    for unit in units:
        assert unit.name == unicodedata.normalize("NFC", unit.name)
        assert unit.name == " ".join(unit.name.split()), unit.name
        assert unit.name.startswith(unit.kind + " "), unit
    names = {u.name for u in units}
    assert "Huyện Vũng Liêm" in names  # "Huyện  Vũng Liêm" in the source
    assert "Xã Bình Khánh" in names  # "Xã Bình Khánh " in the source


def test_aliases_use_level_prefixed_codes(config: AreasConfig) -> None:
    assert config.aliases["TP Trà Vinh"] == "district:842"
    assert config.aliases["TX Duyên Hải"] == "district:851"
    assert config.aliases["Trà Vinh cũ"] == "former-province:84"


@needs_admin
def test_committed_config_equals_generated_from_source() -> None:
    built = build_areas_config(ADMIN_DIR)
    AreasConfig.model_validate(built)
    committed = yaml.safe_load((CONFIG_DIR / "areas.yaml").read_text(encoding="utf-8"))
    assert committed == built, (
        "config/areas.yaml is stale: python -m binhon.geo <shared/data/admin> config/areas.yaml"
    )


@needs_admin
def test_write_areas_config_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "areas.yaml"
    write_areas_config(ADMIN_DIR, out)
    content = out.read_text(encoding="utf-8")
    assert content.startswith("# ")
    assert "GENERATED FILE" in content
    assert "python -m binhon.geo /path/to/shared/data/admin config/areas.yaml" in content
    assert "vinh_long_2025_communes.csv" in content
    assert "Phường Trà Vinh" in content  # allow_unicode, not \u escapes
    assert yaml.safe_load(content) == build_areas_config(ADMIN_DIR)
    assert load_yaml_model(out, AreasConfig).communes
    # Stable output: writing twice gives the same bytes.
    again = tmp_path / "again.yaml"
    write_areas_config(ADMIN_DIR, again)
    assert again.read_bytes() == out.read_bytes()


@needs_admin
def test_command_line_writes_the_config(tmp_path: Path) -> None:
    out = tmp_path / "config" / "areas.yaml"
    assert main([str(ADMIN_DIR), str(out)]) == 0
    assert load_areas(out.parent).province.code == "86"


def test_build_reports_missing_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="không tìm thấy tệp dữ liệu địa bàn"):
        build_areas_config(tmp_path)


# --- database: sync_areas ---------------------------------------------------------------------------


@contextmanager
def _sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _pg_engine() -> Iterator[Engine]:
    """A fresh, uniquely named PostgreSQL database next to BINHON_TEST_PG_URL, dropped afterwards."""
    assert PG_URL
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"binhon_geo_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.pg,
            pytest.mark.skipif(not PG_URL, reason="set BINHON_TEST_PG_URL to run PostgreSQL tests"),
        ],
    ),
]


@contextmanager
def _engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        with _sqlite_engine(tmp_path) as engine:
            yield engine
    else:
        with _pg_engine() as engine:
            yield engine


def _row_counts(session: Session) -> tuple[int, int]:
    areas = session.scalar(select(func.count()).select_from(Area))
    crosswalk = session.scalar(select(func.count()).select_from(AreaCrosswalk))
    assert areas is not None and crosswalk is not None
    return areas, crosswalk


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_is_idempotent(backend: str, tmp_path: Path, config: AreasConfig) -> None:
    with _engine(backend, tmp_path) as engine:
        factory = session_factory(engine)
        with factory() as session:
            first = sync_areas(session=session, config=config)
            session.commit()
        assert first["areas_added"] == N_AREAS
        assert first["crosswalk_added"] == N_CROSSWALK
        assert first["areas_updated"] == first["crosswalk_updated"] == first["crosswalk_removed"] == 0

        with factory() as session:
            assert _row_counts(session) == (N_AREAS, N_CROSSWALK)
            second = sync_areas(session=session, config=config)
            session.commit()
        assert second["areas_added"] == second["areas_updated"] == 0
        assert second["crosswalk_added"] == second["crosswalk_updated"] == second["crosswalk_removed"] == 0
        assert second["areas_unchanged"] == N_AREAS
        assert second["crosswalk_unchanged"] == N_CROSSWALK

        with factory() as session:
            assert _row_counts(session) == (N_AREAS, N_CROSSWALK)
            # The reused code 29242: Phường 3 until the merger, Phường Trà Vinh since.
            rows = sorted(
                session.scalars(select(Area).where(Area.code == "29242")), key=lambda a: a.valid_to is None
            )
            assert [(a.name, a.level, a.valid_from, a.valid_to) for a in rows] == [
                ("Phường 3", "commune", None, BEFORE),
                ("Phường Trà Vinh", "commune", AFTER, None),
            ]
            old, new = rows
            assert old.parent is not None and old.parent.name == "Thành phố Trà Vinh"
            assert old.parent.level == "district" and old.parent.valid_to == BEFORE
            assert old.parent.parent is not None and old.parent.parent.code == "84"
            assert new.parent is not None and (new.parent.code, new.parent.level) == ("86", "province")
            assert new.parent.valid_from is None and new.parent.valid_to is None
            provinces = session.scalars(select(Area).where(Area.level == "province")).all()
            assert sorted((p.code, p.valid_to or dt.date.max) for p in provinces) == [
                ("83", BEFORE),
                ("84", BEFORE),
                ("86", BEFORE),
                ("86", dt.date.max),  # the province since the merger has no end
            ]
            merge_types = Counter(session.scalars(select(AreaCrosswalk.merge_type)))
            assert merge_types == {"full": 349, "partial": 10}

            # The resolver works on this backend too.
            resolver = AreaResolver.from_session(session, config)
            assert resolver.resolve("29242", on=BEFORE).id == old.id
            assert resolver.resolve("29242", on=AFTER).id == new.id

            # A drifted row is repaired and a stale crosswalk pair removed, nothing else changes.
            old.name = "Phường Ba"
            session.add(AreaCrosswalk(old_area_id=old.id, new_area_id=resolver.resolve("Xã Càng Long").id))
            session.flush()
            repair = sync_areas(session=session, config=config)
            session.commit()
        assert repair["areas_updated"] == 1 and repair["areas_added"] == 0
        assert repair["crosswalk_removed"] == 1 and repair["crosswalk_added"] == 0
        with factory() as session:
            assert _row_counts(session) == (N_AREAS, N_CROSSWALK)


def test_sync_only_flushes(tmp_path: Path, config: AreasConfig) -> None:
    with _sqlite_engine(tmp_path) as engine:
        factory = session_factory(engine)
        with factory() as session:
            sync_areas(session=session, config=config)
            assert _row_counts(session) == (N_AREAS, N_CROSSWALK)
            session.rollback()
        with factory() as session:
            assert _row_counts(session) == (0, 0)
            with pytest.raises(BinhonError, match="bảng areas trống"):
                AreaResolver.from_session(session, config)


# --- resolver ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory, config: AreasConfig) -> Iterator[AreaResolver]:
    with _sqlite_engine(tmp_path_factory.mktemp("geo")) as engine:
        with session_factory(engine)() as session:
            sync_areas(session=session, config=config)
            session.commit()
            yield AreaResolver.from_session(session, config)


def _is(area: AreaRecord, code: str, level: str, current: bool) -> bool:
    return (area.code, area.level, area.is_current) == (code, level, current)


@pytest.mark.parametrize(
    ("text_in", "code", "level", "current"),
    [
        # codes
        ("29242", "29242", "commune", True),
        ("29275", "29275", "commune", True),
        ("844", "844", "district", False),
        ("842", "842", "district", False),
        ("84", "84", "province", False),
        ("86", "86", "province", True),
        ("29281", "29281", "commune", False),  # old-only code (Xã Tân An, Càng Long)
        # full names with their type word
        ("Xã Càng Long", "29266", "commune", True),
        ("Phường Trà Vinh", "29242", "commune", True),
        ("Huyện Càng Long", "844", "district", False),
        ("Thành phố Trà Vinh", "842", "district", False),
        ("Thị xã Duyên Hải", "851", "district", False),
        ("Huyện Duyên Hải", "850", "district", False),
        ("Thị trấn Càng Long", "29266", "commune", False),
        ("Tỉnh Trà Vinh", "84", "province", False),
        ("Tỉnh Vĩnh Long", "86", "province", True),
        # abbreviations
        ("TP Trà Vinh", "842", "district", False),
        ("TP. Trà Vinh", "842", "district", False),
        ("Tp.Trà Vinh", "842", "district", False),
        ("T.P Trà Vinh", "842", "district", False),
        ("TX Duyên Hải", "851", "district", False),
        ("TX. Duyên Hải", "851", "district", False),
        ("H. Càng Long", "844", "district", False),
        ("X. An Trường", "29275", "commune", True),
        ("TT Càng Long", "29266", "commune", False),
        ("TT. Càng Long", "29266", "commune", False),
        ("P. Trà Vinh", "29242", "commune", True),
        # case, whitespace, tone placement
        ("xã càng long", "29266", "commune", True),
        ("  PHƯỜNG   TRÀ VINH ", "29242", "commune", True),
        ("thành phố trà vinh", "842", "district", False),
        ("Xã Hoà Tân", "29320", "commune", False),
        ("Xã Hòa Tân", "29320", "commune", False),
        ("xã HÒA tân", "29320", "commune", False),
        # name plus a disambiguating parent
        ("Phường 1, Thành phố Trà Vinh", "29239", "commune", False),
        ("P. 1, TP Trà Vinh", "29239", "commune", False),
        ("Phường 1 - Thị xã Duyên Hải", "29512", "commune", False),
        ("Phường 1 (TP Vĩnh Long)", "29551", "commune", False),
        ("Phường 01, TPTV", "29239", "commune", False),
        ("Khóm 1, Phường 1, TP Trà Vinh", "29239", "commune", False),
        ("Xã Long Hòa - Huyện Châu Thành", "29413", "commune", False),
        ("Xã Long Hoà, H. Bình Đại", "29059", "commune", False),
        ("Xã Long Hòa, Huyện Châu Thành, Tỉnh Trà Vinh", "29413", "commune", False),
        ("Phường Trà Vinh, Tỉnh Vĩnh Long", "29242", "commune", True),
        ("Phường Trà Vinh, Tỉnh Trà Vinh", "29242", "commune", True),  # the former province, leniently
        ("Xã Càng Long, Huyện Càng Long", "29266", "commune", True),
        # era words
        ("Xã Tân An (cũ)", "29281", "commune", False),
        ("Xã Tân An cũ", "29281", "commune", False),
        ("Xã Tân An (mới)", "29278", "commune", True),
        # aliases from config
        ("TPTV", "842", "district", False),
        ("TXDH", "851", "district", False),
        ("Trà Vinh cũ", "84", "province", False),
        ("trà vinh CŨ", "84", "province", False),
        ("Vĩnh Long mới", "86", "province", True),
    ],
)
def test_resolve(resolver: AreaResolver, text_in: str, code: str, level: str, current: bool) -> None:
    area = resolver.resolve(text_in)
    assert _is(area, code, level, current), resolver.label(area)


def test_resolve_nfd_input(resolver: AreaResolver) -> None:
    for name, code in [("Xã Hòa Tân", "29320"), ("Phường Trà Vinh", "29242"), ("Huyện Cầu Kè", "845")]:
        nfd = unicodedata.normalize("NFD", name)
        assert nfd != name
        assert resolver.resolve(nfd).code == code
        assert resolver.resolve(unicodedata.normalize("NFD", name.upper())).code == code


def test_reused_code_is_chosen_by_date(resolver: AreaResolver) -> None:
    before = resolver.resolve("29242", on=BEFORE)
    after = resolver.resolve("29242", on=AFTER)
    assert (before.name, before.is_current, before.valid_to) == ("Phường 3", False, BEFORE)
    assert (after.name, after.is_current, after.valid_from) == ("Phường Trà Vinh", True, AFTER)
    assert resolver.resolve("29242").id == after.id  # no date: today's unit
    assert resolver.resolve("29242", on=dt.date(2019, 1, 15)).id == before.id
    # The province code 86: the new province, or the former Vĩnh Long before the merger.
    assert resolver.resolve("86", on=BEFORE).valid_to == BEFORE
    assert resolver.resolve("86", on=AFTER).is_current


def test_reused_name_is_chosen_by_date(resolver: AreaResolver) -> None:
    # "Xã Tân An": old 29281 (Càng Long) until the merger; new 29278 (formerly Huyền Hội's code) since.
    assert resolver.resolve("Xã Tân An", on=BEFORE).code == "29281"
    assert resolver.resolve("Xã Tân An", on=AFTER).code == "29278"
    assert resolver.resolve("Xã Tân An").code == "29278"
    # A unit that existed in one period only is found whatever the date.
    assert resolver.resolve("Huyện Càng Long", on=AFTER).code == "844"
    assert resolver.resolve("Phường Trà Vinh", on=BEFORE).code == "29242"


def test_ambiguous_name_lists_candidates(resolver: AreaResolver) -> None:
    with pytest.raises(AmbiguousArea) as info:
        resolver.resolve("Phường 1")
    message = str(info.value)
    assert "tên địa bàn 'Phường 1' không rõ ràng: khớp 3 đơn vị" in message
    for code, district in [
        ("29239", "Thành phố Trà Vinh"),
        ("29512", "Thị xã Duyên Hải"),
        ("29551", "Vĩnh Long"),
    ]:
        assert f"mã {code}" in message and district in message
    assert "hãy ghi kèm huyện/thành phố hoặc dùng mã" in message
    assert {a.code for a in info.value.candidates} == {"29239", "29512", "29551"}
    assert isinstance(info.value, AreaNotFound) and isinstance(info.value, ValueError)

    with pytest.raises(AmbiguousArea) as info:
        resolver.resolve("Càng Long")
    assert {(a.code, a.level, a.is_current) for a in info.value.candidates} == {
        ("844", "district", False),
        ("29266", "commune", False),
        ("29266", "commune", True),
    }
    assert "khớp 3 đơn vị" in str(info.value)
    assert "Huyện Càng Long" in str(info.value) and "Thị trấn Càng Long" in str(info.value)

    # Same name in two former provinces before the merger; the date leaves two candidates.
    with pytest.raises(AmbiguousArea) as info:
        resolver.resolve("Xã Long Hòa", on=BEFORE)
    assert {a.code for a in info.value.candidates} == {"29059", "29413"}
    assert resolver.resolve("Xã Long Hòa", on=AFTER).code == "29413"


def test_unknown_name_suggests_close_units(resolver: AreaResolver) -> None:
    with pytest.raises(AreaNotFound) as info:
        resolver.resolve("Xã Cang Long")
    assert not isinstance(info.value, AmbiguousArea)
    message = str(info.value)
    assert message.startswith("không tìm thấy địa bàn 'Xã Cang Long'")
    assert "có phải" in message and "Xã Càng Long" in message and "mã 29266" in message
    assert info.value.suggestions and info.value.suggestions[0].code == "29266"

    with pytest.raises(AreaNotFound, match="không tìm thấy địa bàn 'Phường Tra Vinh'.*Phường Trà Vinh"):
        resolver.resolve("Phường Tra Vinh")


@pytest.mark.parametrize(
    "text_in",
    [
        "Quận 1",  # Hồ Chí Minh City
        "Phường Bến Thành",
        "26734",  # a commune code of another province
        "01",  # Hà Nội's province code
        "Huyện Cần Giuộc",
        "",
        "   ",
    ],
)
def test_outside_the_province_is_not_found(resolver: AreaResolver, text_in: str) -> None:
    with pytest.raises(AreaNotFound, match="không tìm thấy địa bàn|trống"):
        resolver.resolve(text_in)


def test_parent_that_does_not_contain_the_unit(resolver: AreaResolver) -> None:
    with pytest.raises(AreaNotFound, match="không thuộc"):
        resolver.resolve("Phường 1, Huyện Càng Long")
    with pytest.raises(AreaNotFound, match="không có huyện/thị xã/thành phố/tỉnh nào tên 'Huyện Xyz'"):
        resolver.resolve("Phường 1, Huyện Xyz")


def test_current_commune_and_former_district(resolver: AreaResolver) -> None:
    town = resolver.resolve("Thị trấn Càng Long")
    commune = resolver.resolve("Xã Càng Long")
    district = resolver.resolve("Huyện Càng Long")

    assert resolver.current_commune(town) == commune
    assert resolver.current_commune(commune) == commune
    assert resolver.current_commune(district) is None

    assert resolver.former_district(town) == district
    assert resolver.former_district(commune) == district
    assert resolver.former_district(district) == district

    tra_vinh = resolver.resolve("Tỉnh Trà Vinh")
    assert resolver.former_province(town) == tra_vinh
    assert resolver.former_province(commune) == tra_vinh
    assert resolver.former_province(district) == tra_vinh
    assert resolver.former_province(tra_vinh) == tra_vinh
    assert resolver.former_province(resolver.resolve("86")) is None

    assert {a.code for a, _ in resolver.predecessors(commune)} >= {"29266"}
    assert resolver.successors(town) == [(commune, "full")]


def test_navigation_of_merged_and_split_units(resolver: AreaResolver) -> None:
    ward = resolver.resolve("Phường Trà Vinh")
    city = resolver.resolve("Thành phố Trà Vinh")
    assert resolver.former_district(ward) == city
    assert {a.name for a, _ in resolver.predecessors(ward)} == {"Phường 1", "Phường 3", "Phường 9"}
    old_p3 = resolver.resolve("29242", on=BEFORE)
    assert resolver.current_commune(old_p3) == ward

    # Split between two new units and no 'full' row: no single current commune.
    split = resolver.resolve("Thị trấn Trà Ôn")
    assert resolver.current_commune(split) is None
    assert {(a.code, t) for a, t in resolver.successors(split)} == {
        ("29767", "partial"),
        ("29821", "partial"),
    }
    assert resolver.former_district(split) == resolver.resolve("Huyện Trà Ôn")
    # Xã Ngãi Tứ (new) came from two former districts (Tam Bình and Trà Ôn).
    assert resolver.former_district(resolver.resolve("Xã Ngãi Tứ", on=AFTER)) is None
    province = resolver.former_province(resolver.resolve("Xã Ngãi Tứ", on=AFTER))
    assert province is not None and (province.code, province.is_current) == ("86", False)

    # Provinces have no commune or district.
    assert resolver.current_commune(resolver.resolve("84")) is None
    assert resolver.former_district(resolver.resolve("84")) is None


def test_label_is_readable(resolver: AreaResolver) -> None:
    assert resolver.label(resolver.resolve("29242", on=BEFORE)) == (
        "Phường 3, Thành phố Trà Vinh, Tỉnh Trà Vinh (mã 29242, đến 30/06/2025)"
    )
    assert (
        resolver.label(resolver.resolve("29242"))
        == "Phường Trà Vinh, Tỉnh Vĩnh Long (mã 29242, từ 01/07/2025)"
    )


def test_bad_alias_is_a_config_error(tmp_path: Path, config: AreasConfig) -> None:
    with _sqlite_engine(tmp_path) as engine, session_factory(engine)() as session:
        sync_areas(session=session, config=config)
        for value, problem in [
            ("district:999", "không có đơn vị"),
            ("ward:29242", "cấp 'ward' không hợp lệ"),
            ("Phường 1", "không rõ ràng"),
        ]:
            bad = config.model_copy(update={"aliases": {"X": value}})
            with pytest.raises(ConfigError, match=problem):
                AreaResolver.from_session(session, bad)
        # An alias may also be any text the resolver understands, or a level-prefixed code.
        good = config.model_copy(
            update={"aliases": {"Chợ Trà Vinh": "Phường Trà Vinh", "P3 cũ": "former-commune:29242"}}
        )
        resolver = AreaResolver.from_session(session, good)
        assert resolver.resolve("chợ trà vinh").code == "29242"
        assert resolver.resolve("P3 cũ").name == "Phường 3"
