"""Measuring the product mapping: precision and recall on hand labels, coverage on real catalogues."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from binhon.scraping.mapping import Mapped, Mapper

# CONTRACT "Required commodity codes".
REQUIRED_CODES = (
    "gao-te-thuong", "gao-thom", "thit-lon-hoi", "thit-lon-nac", "thit-lon-ba-roi", "thit-bo", "ga-ta",
    "trung-ga", "ca-loc", "bap-cai", "duong-trang", "muoi-hat", "dau-an", "sua-bot-tre-em", "gas-lpg-12kg",
    "xang-e5-ron92", "xang-ron95-iii", "xang-e10-ron95-iii", "dau-do-005s", "dau-do-0001s", "dau-hoa",
)  # fmt: skip


def unit_hint_for(chain: str, unit_raw: str) -> str:
    """The site's selling unit as the spider passes it (WinMart's uomName; the BHX catalogue's unit
    column was derived from the name by a third party, so it is not used)."""
    return unit_raw if chain == "winmart" else ""


@dataclass
class LabelScore:
    """Precision/recall of the mapper against hand labels."""

    labelled: int = 0
    positives: int = 0
    mapped: int = 0
    correct: int = 0
    found: int = 0
    wrong: list[tuple[str, str, str, str]] = field(default_factory=list)
    missed: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct mappings (commodity and pack) over all mappings made."""
        return self.correct / self.mapped if self.mapped else 1.0

    @property
    def recall(self) -> float:
        """Labelled positives the mapper found correctly."""
        return self.found / self.positives if self.positives else 1.0


def score_labels(mapper: Mapper, path: Path) -> LabelScore:
    """Map every labelled product and compare with its label (commodity and pack, within 0.1 %)."""
    score = LabelScore()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            score.labelled += 1
            price = int(row["price_vnd"]) if row["price_vnd"].strip() else 1
            result = mapper.map(
                row["name_raw"],
                price,
                spider=row["chain"],
                unit_hint=unit_hint_for(row["chain"], row["unit_raw"]),
            )
            expected = row["expected_commodity"].strip()
            qty = float(row["expected_unit_qty"]) if row["expected_unit_qty"].strip() else None
            if expected:
                score.positives += 1
            if isinstance(result, Mapped):
                score.mapped += 1
                spec = mapper.by_code[result.commodity]
                got_qty = float(result.measure.quantity / spec.measure.quantity)
                ok = (
                    result.commodity == expected
                    and qty is not None
                    and abs(got_qty - qty) <= 0.001 * max(qty, 1e-9)
                )
                if ok:
                    score.correct += 1
                    score.found += 1
                else:
                    score.wrong.append(
                        (
                            row["chain"],
                            row["name_raw"],
                            f"{result.commodity} ×{got_qty:g}",
                            f"{expected or '(không)'} ×{qty}",
                        )
                    )
            elif expected:
                score.missed.append((row["chain"], row["name_raw"], result.reason))
    return score


@dataclass
class Coverage:
    """Which required commodities a chain's catalogue yields at least one mapped product for."""

    chain: str
    products: int
    mapped: int
    by_commodity: Counter[str]

    def required_covered(self) -> list[str]:
        """Required codes with at least one mapped product."""
        return [c for c in REQUIRED_CODES if self.by_commodity.get(c)]


def catalogue_coverage(mapper: Mapper, shared_data: Path) -> list[Coverage]:
    """Coverage of the real WinMart (2026-07-10) and Bách Hóa Xanh (2025-12) catalogues."""
    out: list[Coverage] = []
    sources = (
        ("winmart", shared_data / "winmart_catalog_2026-07-10.csv", "ten", "gia_ban", "don_vi"),
        ("bachhoaxanh", shared_data / "bhx_products_2025-12.csv", "name", "price_value", "unit"),
    )
    for chain, path, name_col, price_col, unit_col in sources:
        counts: Counter[str] = Counter()
        total = mapped = 0
        seen: set[str] = set()
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                name = row[name_col].strip()
                if not name or name in seen:
                    continue
                seen.add(name)
                total += 1
                raw_price = (row[price_col] or "").strip()
                price = int(float(raw_price)) if raw_price else 1
                result = mapper.map(name, price, spider=chain, unit_hint=unit_hint_for(chain, row[unit_col]))
                if isinstance(result, Mapped):
                    mapped += 1
                    counts[result.commodity] += 1
        out.append(Coverage(chain, total, mapped, counts))
    return out


def report_lines(score: LabelScore, coverage: list[Coverage]) -> list[str]:
    """A plain report (Vietnamese) of the label scores and catalogue coverage."""
    lines = [
        f"Nhãn thủ công: {score.labelled} sản phẩm, {score.positives} có mặt hàng",
        f"Ánh xạ: {score.mapped}; đúng {score.correct}; độ chính xác (precision) {score.precision:.4f}; "
        f"độ phủ (recall) {score.recall:.4f}",
    ]
    for chain, name, got, want in score.wrong:
        lines.append(f"  SAI [{chain}] {name}: ánh xạ {got}, nhãn {want}")
    for chain, name, reason in score.missed:
        lines.append(f"  BỎ SÓT [{chain}] {name}: {reason}")
    grocery_required = [c for c in REQUIRED_CODES if not c.startswith(("xang", "dau-do", "dau-hoa", "gas"))]
    by_chain: dict[str, list[str]] = defaultdict(list)
    for cov in coverage:
        covered = [c for c in cov.required_covered() if c in grocery_required]
        by_chain[cov.chain] = covered
        lines.append(
            f"{cov.chain}: {cov.products} sản phẩm, {cov.mapped} ánh xạ được; "
            f"mặt hàng bắt buộc (hàng tạp hóa) có giá: {len(covered)}/{len(grocery_required)} — "
            f"{', '.join(covered)}"
        )
        missing = [c for c in grocery_required if c not in covered]
        lines.append(f"  chưa có: {', '.join(missing)}")
    return lines
