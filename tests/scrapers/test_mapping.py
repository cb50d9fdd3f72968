"""Product → commodity mapping: pack sizes, never guessing, and precision on the hand labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from binhon.scraping.evaluate import catalogue_coverage, report_lines, score_labels
from binhon.scraping.mapping import Mapped, Mapper, Unmapped
from tests.conftest import shared_path

LABELS = Path(__file__).resolve().parents[1] / "data" / "product_labels.csv"


@pytest.mark.parametrize(
    ("name", "price", "hint", "commodity", "unit", "per_unit"),
    [
        ("Ba rọi heo C.P 300gr", 51000, "", "thit-lon-ba-roi", "300 g", 170000),
        ("Gạo ST25 Ngọc Nương túi 5kg", 189000, "", "gao-thom", "5 kg", 37800),
        ("Trứng gà hộp 10 quả", 34000, "", "trung-ga", "10 quả", 34000),
        ("Combo 2 hộp trứng gà hộp 10 quả", 64000, "", "trung-ga", "20 quả", 32000),
        ("O'LALA Trứng gà sạch hộp 10_BHMB", 39500, "Hộp", "trung-ga", "10 quả", 39500),
        ("Dầu thực vật Tường An Cooking Oil chai 400ml", 24500, "", "dau-an", "400 ml", 61250),
        ("Sữa bột Nutifood GrowPlus trên 1 tuổi lon 850g", 576000, "Lon", "sua-bot-tre-em", "850 g", 609882),
        ("MEATDELI Thịt Nạc dăm heo (Thịt Nạc vai) (S)", 204900, "Kg", "thit-lon-nac", "1 kg", 204900),
        (
            "Sữa tươi tiệt trùng Vinamilk không đường lốc 4 hộp x 180ml",
            34200,
            "Gói 4",
            "sua-tuoi-tiet-trung",
            "720 ml",
            47500,
        ),
        ("Thịt Thăn bò", 399000, "Kg", "thit-bo", "1 kg", 399000),
    ],
)
def test_maps_with_pack_conversion(
    mapper: Mapper, name: str, price: int, hint: str, commodity: str, unit: str, per_unit: int
) -> None:
    m = mapper.map(name, price, unit_hint=hint)
    assert isinstance(m, Mapped), m
    assert (m.commodity, m.unit_text, m.price_per_unit_vnd) == (commodity, unit, per_unit)


@pytest.mark.parametrize(
    ("name", "reason_part"),
    [
        ("Ba rọi heo C.P", "không rõ quy cách"),  # no pack: never guessed
        ("Bắp cải trắng bắp từ 700g trở lên", "không cố định"),
        ("Ba chỉ bò Úc đông lạnh 300g", "không khớp"),  # beef, not pork belly
        ("Sữa đặc có đường Ông Thọ lon 380g xxx đường", "không khớp")
        if False
        else ("Đường phèn Biên Hòa gói 500g", "không khớp"),
        ("Ba rọi xông khói Angst-Trường Vinh gói 200g", "không khớp"),
        ("Trứng gà Omega 3 Dabaco hộp 10 quả", "không khớp"),
        ("Dầu gội Clear 650ml", "không khớp"),
    ],
)
def test_kept_for_review(mapper: Mapper, name: str, reason_part: str) -> None:
    m = mapper.map(name, 10000)
    assert isinstance(m, Unmapped) and reason_part in m.reason


def test_sugar_in_milk_names_is_not_sugar(mapper: Mapper) -> None:
    m = mapper.map("Sữa đặc có đường Ông Thọ đỏ lon 380g", 28800)
    assert isinstance(m, Mapped) and m.commodity == "sua-dac"


def test_fuel_names_drift_and_nfd(mapper: Mapper) -> None:
    import unicodedata

    cases = {
        "Xăng E10RON95-III": "xang-e10-ron95-iii",
        "Xăng E10 RON 95-III": "xang-e10-ron95-iii",
        "Xăng RON 95-III": "xang-ron95-iii",
        "Xăng E5 RON 92-II": "xang-e5-ron92",
        unicodedata.normalize("NFD", "Dầu điêzen 0.05S"): "dau-do-005s",
        "DO 0,001S-V": "dau-do-0001s",
        "Dầu hoả 2-K": "dau-hoa",
    }
    for name, code in cases.items():
        m = mapper.map(name, 20000, scope="fuel")
        assert isinstance(m, Mapped) and m.commodity == code, name
    for name in ("Xăng RON 95-V", "Xăng E10 RON 95-V", "Mazút N2B 3,5S", "DO 0,005S-IV"):
        assert isinstance(mapper.map(name, 20000, scope="fuel"), Unmapped), name


def test_precision_on_hand_labels(mapper: Mapper) -> None:
    score = score_labels(mapper, LABELS)
    assert score.labelled >= 300
    assert score.positives >= 100
    lines = report_lines(score, [])
    print("\n".join(lines))
    assert score.precision >= 0.98, lines
    assert score.recall >= 0.9, lines


def test_coverage_of_required_commodities_per_chain(mapper: Mapper) -> None:
    data = shared_path("data")
    coverage = catalogue_coverage(mapper, data)
    print("\n".join(report_lines(score_labels(mapper, LABELS), coverage)))
    by_chain = {c.chain: set(c.required_covered()) for c in coverage}
    assert {"gao-thom", "thit-lon-ba-roi", "trung-ga", "duong-trang", "dau-an"} <= by_chain["winmart"]
    assert {"gao-thom", "thit-lon-ba-roi", "trung-ga", "duong-trang", "dau-an"} <= by_chain["bachhoaxanh"]
