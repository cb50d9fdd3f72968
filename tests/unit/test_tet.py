"""Tết dates (Vietnamese calendar), phases, back-to-school season and calendar config."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from binhon.errors import ConfigError
from binhon.tet import (
    MAX_YEAR,
    MIN_YEAR,
    SchoolSeason,
    TetWindows,
    days_to_tet,
    in_school_season,
    load_calendar_config,
    lunar_year_name,
    nearest_tet,
    school_season,
    season_label,
    tet_date,
    tet_phase,
    tet_window,
    tet_year_of,
)

CONFIG = Path(__file__).resolve().parents[2] / "config" / "calendar.yaml"

KNOWN_TET = [
    date(2020, 1, 25),
    date(2021, 2, 12),
    date(2022, 2, 1),
    date(2023, 1, 22),
    date(2024, 2, 10),
    date(2025, 1, 29),
    date(2026, 2, 17),
    date(2027, 2, 6),
    date(2030, 2, 2),
    date(2007, 2, 17),
    date(1985, 1, 21),
]


# ------------------------------------------------------------------------------------------
# Tết dates
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", KNOWN_TET, ids=lambda d: str(d.year))
def test_known_tet_dates(expected: date) -> None:
    assert tet_date(expected.year) == expected


def test_2030_uses_vietnamese_not_chinese_calendar() -> None:
    # China (UTC+8) celebrates on 03/02/2030; Vietnam (UTC+7) on 02/02/2030.
    assert tet_date(2030) == date(2030, 2, 2)
    assert tet_date(2030) != date(2030, 2, 3)


@pytest.mark.parametrize("year", [2007, 1985])
def test_other_years_where_vietnam_and_china_differ(year: int) -> None:
    # China: 18/02/2007 and 20/02/1985.
    chinese = {2007: date(2007, 2, 18), 1985: date(1985, 2, 20)}[year]
    assert tet_date(year) != chinese


def test_tet_dates_cover_whole_range_and_fall_in_late_jan_or_feb() -> None:
    previous = None
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        d = tet_date(year)
        assert d.year == year
        assert date(year, 1, 21) <= d <= date(year, 2, 20)
        if previous is not None:
            assert (d - previous).days in (354, 355, 383, 384, 385)
        previous = d


def test_tet_date_is_cached() -> None:
    tet_date(2026)
    hits = tet_date.cache_info().hits
    tet_date(2026)
    assert tet_date.cache_info().hits == hits + 1


def test_matches_vnlunar_for_1967_to_2100() -> None:
    vnlunar = pytest.importorskip("vnlunar")
    mismatches = []
    for year in range(1967, 2101):
        # Lunar 1/1 (not leap) of lunar year `year`, computed astronomically at UTC+7.
        solar = vnlunar.convert_lunar_to_solar(1, 1, year, 0, time_zone=7.0)
        assert solar is not None
        day, month, solar_year = solar
        expected = date(solar_year, month, day)
        if tet_date(year) != expected:
            mismatches.append((year, tet_date(year), expected))
    assert mismatches == []


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1, 0, -5, 3000])
def test_out_of_range_year_raises(year: int) -> None:
    with pytest.raises(ValueError, match="ngoài phạm vi"):
        tet_date(year)
    with pytest.raises(ValueError, match="ngoài phạm vi"):
        tet_window(year)


def test_range_edges_are_supported() -> None:
    assert tet_date(MIN_YEAR) == date(1901, 2, 19)
    assert tet_date(MAX_YEAR) == date(2100, 2, 9)


def test_non_int_year_raises_type_error() -> None:
    with pytest.raises(TypeError):
        tet_date("2024")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "message"),
    [
        (date(1900, 6, 1), "ngoài phạm vi"),  # nearest Tết could be 1900's
        (date(1899, 12, 31), "ngoài phạm vi"),
        (date(2100, 12, 1), "ngoài phạm vi"),  # nearest Tết would be 2101's
        (date(2101, 1, 10), "ngoài phạm vi"),
    ],
)
def test_nearest_tet_out_of_range_raises(d: date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nearest_tet(d)


def test_nearest_tet_near_range_edges() -> None:
    assert nearest_tet(date(1900, 12, 21)) == date(1901, 2, 19)  # start of 1901's reference window
    assert nearest_tet(date(1901, 1, 1)) == date(1901, 2, 19)
    assert nearest_tet(date(2100, 3, 1)) == date(2100, 2, 9)
    assert nearest_tet(date(2100, 7, 1)) == date(2100, 2, 9)
    for year in (MIN_YEAR, MAX_YEAR):
        for start, end in tet_window(year).values():
            assert tet_year_of(start) == year and tet_year_of(end) == year


# ------------------------------------------------------------------------------------------
# Lunar year names
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2021, "Tân Sửu"),
        (2022, "Nhâm Dần"),
        (2023, "Quý Mão"),
        (2024, "Giáp Thìn"),
        (2025, "Ất Tỵ"),
        (2026, "Bính Ngọ"),
        (2027, "Đinh Mùi"),
        (1968, "Mậu Thân"),
        (1984, "Giáp Tý"),
    ],
)
def test_lunar_year_name(year: int, name: str) -> None:
    assert lunar_year_name(year) == name


def test_lunar_year_name_sexagenary_cycle() -> None:
    names = {lunar_year_name(y) for y in range(1984, 2044)}
    assert len(names) == 60
    assert lunar_year_name(1984 + 60) == lunar_year_name(1984)


# ------------------------------------------------------------------------------------------
# Offsets around Tết
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "k", "tet_year"),
    [
        (date(2026, 12, 30), -38, 2027),
        (date(2026, 12, 31), -37, 2027),
        (date(2027, 1, 1), -36, 2027),
        (date(2027, 2, 5), -1, 2027),
        (date(2027, 2, 6), 0, 2027),
        (date(2027, 2, 7), 1, 2027),
        (date(2024, 2, 10), 0, 2024),
        (date(2024, 1, 1), -40, 2024),
        (date(2023, 12, 31), -41, 2024),
        (date(2022, 12, 31), -22, 2023),  # Tết 2023 is 22/01
        (date(2023, 1, 1), -21, 2023),
        (date(2026, 3, 1), 12, 2026),
        # Tết 2026 (17/02) and 2027 (06/02) are 354 days apart: the tie on 13/08 goes to the earlier one.
        (date(2026, 8, 12), 176, 2026),
        (date(2026, 8, 13), 177, 2026),
        (date(2026, 8, 14), -176, 2027),
    ],
)
def test_days_to_tet_and_tet_year_of(d: date, k: int, tet_year: int) -> None:
    assert days_to_tet(d) == k
    assert tet_year_of(d) == tet_year
    assert nearest_tet(d) == tet_date(tet_year)
    assert nearest_tet(d) + timedelta(days=k) == d


def test_days_to_tet_is_continuous_except_at_the_mid_year_switch() -> None:
    d = date(2019, 6, 1)
    previous = days_to_tet(d)
    switches = 0
    while d < date(2029, 6, 1):
        d += timedelta(days=1)
        k = days_to_tet(d)
        if k != previous + 1:
            switches += 1
            assert previous >= 170 and k <= -170
        previous = k
    assert switches == 10


def test_accepts_datetime() -> None:
    assert days_to_tet(datetime(2027, 2, 6, 23, 59)) == 0
    assert tet_phase(datetime(2026, 2, 10, 8, 0)) == "before"


# ------------------------------------------------------------------------------------------
# Phases and windows
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "phase"),
    [
        (-61, None),
        (-60, None),  # reference window is not a phase
        (-31, None),
        (-30, "before"),
        (-3, "before"),
        (-2, "during"),
        (0, "during"),
        (6, "during"),
        (7, "after"),
        (30, "after"),
        (31, None),
    ],
)
def test_phase_at_window_edges(k: int, phase: str | None) -> None:
    for year in (2023, 2026, 2030):
        assert tet_phase(tet_date(year) + timedelta(days=k)) == phase


def test_phase_across_gregorian_year_boundary() -> None:
    # Tết 2023 is 22/01/2023: "before" starts 23/12/2022.
    assert tet_phase(date(2022, 12, 22)) is None
    assert tet_phase(date(2022, 12, 23)) == "before"
    assert tet_year_of(date(2022, 12, 23)) == 2023


def test_phase_with_custom_windows() -> None:
    windows = TetWindows(before=(-14, -1), during=(0, 3), after=(4, 10), reference=(-40, -30))
    tet = tet_date(2026)
    assert tet_phase(tet - timedelta(days=15), windows=windows) is None
    assert tet_phase(tet - timedelta(days=14), windows=windows) == "before"
    assert tet_phase(tet - timedelta(days=1), windows=windows) == "before"
    assert tet_phase(tet, windows=windows) == "during"
    assert tet_phase(tet + timedelta(days=4), windows=windows) == "after"
    assert tet_phase(tet + timedelta(days=11), windows=windows) is None


def test_tet_window_2026() -> None:
    assert tet_window(2026) == {
        "before": (date(2026, 1, 18), date(2026, 2, 14)),
        "during": (date(2026, 2, 15), date(2026, 2, 23)),
        "after": (date(2026, 2, 24), date(2026, 3, 19)),
        "reference": (date(2025, 12, 19), date(2026, 1, 3)),
    }


def test_tet_window_agrees_with_tet_phase() -> None:
    for year in (1985, 2007, 2023, 2030):
        ranges = tet_window(year)
        for phase in ("before", "during", "after"):
            start, end = ranges[phase]
            assert tet_phase(start) == phase
            assert tet_phase(end) == phase
            assert tet_phase(start - timedelta(days=1)) != phase
            assert tet_phase(end + timedelta(days=1)) != phase
        start, end = ranges["reference"]
        assert days_to_tet(start) == -60 and days_to_tet(end) == -45
        assert tet_year_of(start) == year


def test_tet_windows_defaults() -> None:
    w = TetWindows()
    assert (w.before, w.during, w.after, w.reference) == ((-30, -3), (-2, 6), (7, 30), (-60, -45))


def test_tet_windows_accepts_lists() -> None:
    assert TetWindows(before=[-20, -5]).before == (-20, -5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"before": (-3, -30)}, "before"),
        ({"during": (6, -2)}, "during"),
        ({"after": (30, 7)}, "after"),
        ({"reference": (-45, -60)}, "reference"),
        ({"during": (-5, 6)}, "during"),  # overlaps before
        ({"after": (6, 30)}, "after"),  # overlaps during
        ({"reference": (-60, -30)}, "reference"),  # overlaps before
        ({"before": (-30, -2)}, "during"),  # before now reaches into during
        ({"before": (-30, "x")}, "before"),
        ({"before": (-30, True)}, "before"),
        ({"before": (-30,)}, "before"),
        ({"before": "-30,-3"}, "before"),
        ({"after": (7, 400)}, "after"),
    ],
)
def test_tet_windows_invalid(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError) as info:
        TetWindows(**kwargs)  # type: ignore[arg-type]
    assert re.search(rf"^{field}$", str(info.value), re.MULTILINE)
    assert f"'{field}'" in str(info.value)


def test_tet_windows_rejects_unknown_field() -> None:
    with pytest.raises(ValueError, match="befor"):
        TetWindows(befor=(-30, -3))  # type: ignore[call-arg]


def test_tet_windows_is_frozen() -> None:
    w = TetWindows()
    with pytest.raises(ValueError):
        w.before = (-10, -3)  # type: ignore[misc]


# ------------------------------------------------------------------------------------------
# Back-to-school season
# ------------------------------------------------------------------------------------------


def test_school_season_defaults() -> None:
    assert school_season(2025) == (date(2025, 8, 1), date(2025, 9, 15))


@pytest.mark.parametrize(
    ("d", "inside"),
    [
        (date(2025, 7, 31), False),
        (date(2025, 8, 1), True),
        (date(2025, 9, 2), True),
        (date(2025, 9, 15), True),
        (date(2025, 9, 16), False),
        (date(2025, 2, 1), False),
    ],
)
def test_in_school_season(d: date, inside: bool) -> None:
    assert in_school_season(d) is inside


def test_custom_school_season() -> None:
    season = SchoolSeason(start="07-15", end="08-31")
    assert school_season(2024, season=season) == (date(2024, 7, 15), date(2024, 8, 31))
    assert in_school_season(date(2024, 7, 20), season=season)
    assert not in_school_season(date(2024, 9, 1), season=season)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": "8-1"}, "start"),
        ({"start": "08/01"}, "start"),
        ({"start": "13-01"}, "start"),
        ({"start": "02-30"}, "start"),
        ({"start": "02-29"}, "start"),
        ({"end": "00-10"}, "end"),
        ({"start": 801}, "start"),
        ({"start": "09-20", "end": "09-15"}, "end"),
    ],
)
def test_school_season_invalid(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError) as info:
        SchoolSeason(**kwargs)  # type: ignore[arg-type]
    assert re.search(rf"^{field}$", str(info.value), re.MULTILINE)


# ------------------------------------------------------------------------------------------
# Season labels
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "label"),
    [
        (date(2026, 2, 10), "trước Tết"),
        (date(2026, 1, 18), "trước Tết"),
        (date(2026, 2, 15), "trong Tết"),
        (date(2026, 2, 17), "trong Tết"),
        (date(2026, 3, 1), "sau Tết"),
        (date(2026, 8, 20), "mùa khai giảng"),
        (date(2026, 9, 15), "mùa khai giảng"),
        (date(2026, 6, 1), "ngày thường"),
        (date(2025, 12, 25), "ngày thường"),  # reference window
        (date(2026, 3, 20), "ngày thường"),
    ],
)
def test_season_label(d: date, label: str) -> None:
    assert season_label(d) == label


def test_season_label_with_custom_settings() -> None:
    windows = TetWindows(before=(-10, -3))
    season = SchoolSeason(start="06-01", end="06-30")
    assert season_label(date(2026, 2, 1), windows=windows) == "ngày thường"
    assert season_label(date(2026, 6, 10), season=season) == "mùa khai giảng"
    assert season_label(date(2026, 8, 20), season=season) == "ngày thường"


# ------------------------------------------------------------------------------------------
# Config file
# ------------------------------------------------------------------------------------------


def test_load_real_calendar_config() -> None:
    windows, season = load_calendar_config(CONFIG)
    assert windows == TetWindows(before=(-30, -3), during=(-2, 6), after=(7, 30), reference=(-60, -45))
    assert season == SchoolSeason(start="08-01", end="09-15")


def test_real_calendar_config_comments_every_key() -> None:
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    keys = 0
    for i, line in enumerate(lines):
        if re.match(r"^\s*[A-Za-z_]+:", line):
            keys += 1
            assert i > 0 and lines[i - 1].lstrip().startswith("#"), f"no comment above: {line!r}"
    assert keys == 8


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tet:\n  before: [-3, -30]\n", "tet.before"),
        ("tet:\n  during: [-5, 6]\n", "tet.during"),
        ("tet:\n  after: [6, 30]\n", "tet.after"),
        ("tet:\n  reference: [-60, -20]\n", "tet.reference"),
        ("tet:\n  before: -30\n", "tet.before"),
        ("tet:\n  befor: [-30, -3]\n", "tet.befor"),
        ("tet: [-30, -3]\n", "tet"),
        ('school_season:\n  start: "8-1"\n', "school_season.start"),
        ('school_season:\n  start: "09-20"\n  end: "09-15"\n', "school_season.end"),
        ('school_season:\n  stat: "08-01"\n', "school_season.stat"),
        ("holidays:\n  x: 1\n", "holidays"),
        ("tet: [\n", "(tệp)"),
        ("- 1\n- 2\n", "(tệp)"),
    ],
)
def test_load_calendar_config_bad_file(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_calendar_config(path)
    err = info.value
    assert err.file == str(path)
    assert err.key == key
    assert str(err).startswith(f"{path}: {key}: ")
    assert err.message


def test_load_calendar_config_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_calendar_config(path)
    assert info.value.file == str(path)
    assert "không tìm thấy" in str(info.value)


def test_load_calendar_config_partial_and_empty_files_use_defaults(tmp_path: Path) -> None:
    windows, season = load_calendar_config(_write(tmp_path, "tet:\n  after: [7, 45]\n"))
    assert windows == TetWindows(after=(7, 45))
    assert season == SchoolSeason()
    assert load_calendar_config(_write(tmp_path, "")) == (TetWindows(), SchoolSeason())
